import { DateTime } from 'luxon';

/**
 * The date of issue in French, in Paris time: "14 mars 2017". Its own module so that the verification
 * page can print it without loading the PDF renderer (pdfkit), which is loaded on the first render.
 */
export function frenchIssueDate(issuedAt: Date): string {
  return DateTime.fromJSDate(issuedAt, { zone: 'Europe/Paris' }).setLocale('fr').toFormat('d LLLL yyyy');
}

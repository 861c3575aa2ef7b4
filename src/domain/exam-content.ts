import { type AnswerKey } from './grading';
import { PARTS, QUESTIONS_PER_PART } from './attempt-state';
import { DomainError } from './errors';

export interface QuestionInput {
  prompt: string;
  choices: string[];
  correctChoices: number[];
}
export interface PartInput {
  title: string;
  questions: QuestionInput[];
}

/** What learners may see of the exam: no correct answers (those live in the answer key only). */
export interface ExamPartView {
  title: string;
  questions: { prompt: string; choices: string[] }[];
}

const MAX_TEXT = 2000;
const MAX_CHOICES = 10;

function invalid(field: (string | number)[], message: string): never {
  throw new DomainError('EXAM_CONTENT_INVALID', message, ['input', ...field.map(String)]);
}

function cleanText(value: string, field: (string | number)[], what: string): string {
  const v = value.normalize('NFC').trim();
  if (!v) invalid(field, `${what} must not be empty`);
  if (v.length > MAX_TEXT) invalid(field, `${what} must be at most ${MAX_TEXT} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(v)) invalid(field, `${what} contains control characters`);
  return v;
}

/**
 * R-EXA-1: exactly 3 parts of 10 questions; each question at least 2 distinct choices and at least one
 * correct index, all within range and distinct. The first fault found is reported with its path,
 * e.g. ["input", "parts", "1", "questions", "4", "correctChoices"].
 */
export function validateExamContent(parts: PartInput[]): { parts: ExamPartView[]; answerKey: AnswerKey } {
  if (parts.length !== PARTS) invalid(['parts'], `The exam has exactly ${PARTS} parts (R-EXA-1); ${parts.length} given`);
  const views: ExamPartView[] = [];
  const key: AnswerKey = [];
  parts.forEach((part, p) => {
    const title = cleanText(part.title, ['parts', p, 'title'], 'A part title');
    if (part.questions.length !== QUESTIONS_PER_PART) {
      invalid(['parts', p, 'questions'], `Part ${p + 1} has ${part.questions.length} questions; each part has exactly ${QUESTIONS_PER_PART} (R-EXA-1)`);
    }
    const questions: ExamPartView['questions'] = [];
    const partKey: number[][] = [];
    part.questions.forEach((q, i) => {
      const at = ['parts', p, 'questions', i];
      const prompt = cleanText(q.prompt, [...at, 'prompt'], 'A question prompt');
      if (q.choices.length < 2) invalid([...at, 'choices'], 'A question has at least 2 choices');
      if (q.choices.length > MAX_CHOICES) invalid([...at, 'choices'], `A question has at most ${MAX_CHOICES} choices`);
      const choices = q.choices.map((c, j) => cleanText(c, [...at, 'choices', j], 'A choice'));
      if (new Set(choices).size !== choices.length) invalid([...at, 'choices'], 'Two choices of a question are the same');
      if (q.correctChoices.length === 0) invalid([...at, 'correctChoices'], 'A question has at least one correct choice');
      for (const c of q.correctChoices) {
        if (!Number.isInteger(c) || c < 0 || c >= choices.length) invalid([...at, 'correctChoices'], `Correct choice ${c} is not an index of the ${choices.length} choices`);
      }
      if (new Set(q.correctChoices).size !== q.correctChoices.length) invalid([...at, 'correctChoices'], 'A correct choice is listed twice');
      questions.push({ prompt, choices });
      partKey.push([...q.correctChoices].sort((a, b) => a - b));
    });
    views.push({ title, questions });
    key.push(partKey);
  });
  return { parts: views, answerKey: key };
}

/**
 * R-EXA-3: one list of chosen indexes per question of the part, each index a choice of its question,
 * no index twice (INVALID_ANSWER with the path). An empty list is an unanswered question. Returned sorted.
 */
export function validateAnswers(part: ExamPartView, answers: number[][]): number[][] {
  if (answers.length !== part.questions.length) {
    throw new DomainError('INVALID_ANSWER', `Give one list of chosen choices per question: ${part.questions.length} lists, ${answers.length} given`, ['input', 'answers']);
  }
  return answers.map((chosen, q) => {
    const n = part.questions[q].choices.length;
    for (const c of chosen) {
      if (!Number.isInteger(c) || c < 0 || c >= n) throw new DomainError('INVALID_ANSWER', `Question ${q + 1} has ${n} choices: ${c} is not one of them`, ['input', 'answers', String(q)]);
    }
    if (new Set(chosen).size !== chosen.length) throw new DomainError('INVALID_ANSWER', `Question ${q + 1}: a choice is given twice`, ['input', 'answers', String(q)]);
    return [...chosen].sort((a, b) => a - b);
  });
}

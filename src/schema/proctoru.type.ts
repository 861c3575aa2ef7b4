import { AppointmentType } from './appointment.type';
import { ConnectionType } from './connection';

/** `providerSyncFailures`: appointments whose ProctorU sync failed (SUPPORT). */
export const AppointmentConnection = ConnectionType('Appointment', AppointmentType);

import type { Screen } from './App';
import { Certificates } from './screens/Certificates';
import { Finance } from './screens/Finance';
import { Fraud } from './screens/Fraud';
import { Learner360 } from './screens/Learner360';
import { Audit, Jobs, Sessions } from './screens/Operations';
import { Refunds } from './screens/Refunds';
import { Reschedule } from './screens/Reschedule';

/** Every screen, its path under /admin and the roles that see it in the menu (ADMIN sees all). */
export const SCREENS: Screen[] = [
  { path: '/learners', label: 'learner360', roles: ['SUPPORT'], render: (p) => <Learner360 {...p} /> },
  { path: '/reschedule', label: 'reschedule', roles: ['SUPPORT'], render: (p) => <Reschedule {...p} /> },
  { path: '/refunds', label: 'refunds', roles: ['PAYMENTS'], render: (p) => <Refunds {...p} /> },
  { path: '/finance', label: 'finance', roles: ['PAYMENTS'], render: (p) => <Finance {...p} /> },
  { path: '/fraud', label: 'fraud', roles: ['CERTIFICATION'], render: (p) => <Fraud {...p} /> },
  { path: '/certificates', label: 'certificates', roles: ['CERTIFICATION'], render: (p) => <Certificates {...p} /> },
  { path: '/sessions', label: 'sessions', roles: ['CERTIFICATION'], render: (p) => <Sessions {...p} /> },
  { path: '/jobs', label: 'jobs', roles: ['CERTIFICATION'], render: (p) => <Jobs {...p} /> },
  { path: '/audit', label: 'audit', roles: ['ADMIN'], render: (p) => <Audit {...p} /> },
];

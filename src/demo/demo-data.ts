import { type Role } from '../domain/roles';
import { type CreateSessionInput } from '../services/certification-session.service';

/**
 * The demo data set, as plain values: a pure function of a seed (no clock, no Math.random, no I/O),
 * so two runs produce the same learners and `npm run seed:demo` can be re-run without duplicates.
 * seed-demo.ts writes it through the services. Later issues add their own states (registrations,
 * payments, appointments...) as more fields here and more steps there, referring to sessions and
 * learners by their stable `key`.
 *
 * Every e-mail address is under a reserved domain (RFC 2606 / RFC 6761: `.example`, `example.org`,
 * `.local`), and French phone numbers are in the ranges ARCEP keeps for fiction, so the demo can never
 * reach a real person.
 */

export const DEMO_SEED = 20170301;
export const DEMO_LEARNER_COUNT = 300;
/** The password of every demo staff account (documented in the README). Demo only. */
export const DEMO_STAFF_PASSWORD = 'cartopros-demo-2017';

export interface DemoSession {
  /** Stable key for later steps (`cartopros-2017`). */
  key: string;
  input: CreateSessionInput;
}

export interface DemoProfile {
  phone: string;
  address: string;
  city: string;
  timeZone: string;
  country: string;
}

export interface DemoLearner {
  /** Stable key for later steps: `learner-001`, or a name for the featured learners. */
  key: string;
  externalId: string;
  email: string;
  username: string;
  givenName: string;
  familyName: string;
  /** The ProctorU profile (R-REG-5); absent for learners who have not entered it yet. */
  profile?: DemoProfile;
}

export interface DemoStaff {
  email: string;
  displayName: string;
  roles: Role[];
  password: string;
}

export interface DemoData {
  sessions: DemoSession[];
  learners: DemoLearner[];
  staff: DemoStaff[];
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: a small, fast, seeded PRNG; the same seed gives the same sequence everywhere. */
export function createRng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const chance = (p: number): boolean => next() < p;
  const weighted = <T>(items: readonly (readonly [T, number])[]): T => {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1][0];
  };
  const digits = (n: number): string => Array.from({ length: n }, () => String(int(0, 9))).join('');
  return { next, int, pick, chance, weighted, digits };
}
export type Rng = ReturnType<typeof createRng>;

// ---------------------------------------------------------------------------------------------
// Sessions (R-SES-1)

const COURSE_TITLE = 'Introduction à la cartographie des processus métiers';
const UNIVERSITY = 'Université Jean Moulin Lyon 3 / IAE Lyon';

export const DEMO_SESSIONS: DemoSession[] = [
  {
    // The session of the guide: every value is R-SES-1's seed value.
    key: 'cartopros-2017',
    input: {
      courseTitle: COURSE_TITLE,
      courseCode: '26001S03',
      university: UNIVERSITY,
      courseStartDate: '2017-01-09',
      priceCents: 6000,
      currency: 'EUR',
      examPeriodStart: '2017-03-01',
      examPeriodEnd: '2017-03-14',
      dailyStart: '15:00',
      dailyEnd: '21:00',
      excludedWeekdays: ['WEDNESDAY'],
      timeZone: 'Europe/Paris',
      examDurationMinutes: 30,
      slotStepMinutes: 15,
      bookingLeadHours: 72,
      slotCapacity: 4,
      certificateDeadline: new Date('2017-03-14T23:30:00Z'),
      evidenceRetentionDays: 42,
      passMarkPercent: 60,
    },
  },
  {
    // A later run of the same MOOC (design: the autumn session), same rules.
    key: 'cartopros-2017-autumn',
    input: {
      courseTitle: COURSE_TITLE,
      courseCode: '26001S04',
      university: UNIVERSITY,
      courseStartDate: '2017-09-18',
      priceCents: 6000,
      currency: 'EUR',
      examPeriodStart: '2017-11-06',
      examPeriodEnd: '2017-11-17',
      dailyStart: '15:00',
      dailyEnd: '21:00',
      excludedWeekdays: ['WEDNESDAY'],
      timeZone: 'Europe/Paris',
      examDurationMinutes: 30,
      slotStepMinutes: 15,
      bookingLeadHours: 72,
      slotCapacity: 4,
      certificateDeadline: new Date('2017-11-17T23:30:00Z'),
      evidenceRetentionDays: 42,
      passMarkPercent: 60,
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Staff

export const DEMO_STAFF: DemoStaff[] = [
  { email: 'support@demo.local', displayName: 'Support (démo)', roles: ['SUPPORT'], password: DEMO_STAFF_PASSWORD },
  { email: 'payments@demo.local', displayName: 'Paiements (démo)', roles: ['PAYMENTS'], password: DEMO_STAFF_PASSWORD },
  { email: 'certification@demo.local', displayName: 'Certification (démo)', roles: ['CERTIFICATION'], password: DEMO_STAFF_PASSWORD },
  { email: 'admin@demo.local', displayName: 'Administrateur (démo)', roles: ['ADMIN'], password: DEMO_STAFF_PASSWORD },
];

// ---------------------------------------------------------------------------------------------
// Names and places

type Country = 'FR' | 'BE' | 'CH' | 'CA' | 'MA' | 'SN' | 'US';

const FR_GIVEN = [
  'Camille', 'Léa', 'Manon', 'Chloé', 'Emma', 'Inès', 'Sarah', 'Juliette', 'Louise', 'Zoé', 'Clémence', 'Anaïs',
  'Maëlle', 'Océane', 'Mathilde', 'Pauline', 'Élodie', 'Hélène', 'Cécile', 'Agnès', 'Béatrice', 'Françoise', 'Gaëlle',
  'Noémie', 'Margaux', 'Solène', 'Aurélie', 'Séverine', 'Marie', 'Claire', 'Anne', 'Sophie', 'Nathalie', 'Isabelle',
  'Lucas', 'Hugo', 'Louis', 'Jules', 'Gabriel', 'Arthur', 'Théo', 'Nathan', 'Raphaël', 'Mathéo', 'Noé', 'Timothée',
  'Maxime', 'Antoine', 'Baptiste', 'Clément', 'Jérôme', 'Stéphane', 'Frédéric', 'Benoît', 'François', 'Loïc', 'Gaël',
  'Hervé', 'Rémi', 'Aurélien', 'Grégoire', 'Thibaut', 'Quentin', 'Nicolas', 'Olivier', 'Philippe', 'Pierre', 'Thomas',
];
const FR_GIVEN_COMPOUND = [
  'Jean-Baptiste', 'Marie-Hélène', 'Anne-Sophie', 'Pierre-Yves', 'Jean-François', 'Marie-Claire', 'Jean-Luc',
  'Anne-Laure', 'Paul-Henri', 'Marie-Ève', 'Jean-Noël', 'Louis-Marie',
];
const FR_FAMILY = [
  'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon',
  'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard',
  'André', 'Mercier', 'Dupont', 'Lambert', 'Bonnet', 'François', 'Martinez', 'Legrand', 'Garnier', 'Faure', 'Rousseau',
  'Blanc', 'Guérin', 'Muller', 'Henry', 'Roussel', 'Perrin', 'Morin', 'Mathieu', 'Clément', 'Gauthier', 'Dumont',
  'Fontaine', 'Chevalier', 'Robin', 'Masson', 'Sanchez', 'Gérard', 'Nguyen', 'Boyer', 'Denis', 'Lemaire', 'Duval',
  'Joly', 'Gautier', 'Roger', 'Roche', 'Roy', 'Noël', 'Meyer', 'Lucas', 'Meunier', 'Jean', 'Pérez', 'Marchand',
  'Dufour', 'Blanchard', 'Brunet', 'Barbier', 'Brun', 'Giraud', 'Rolland', 'Lemoine', 'Aubert', 'Caron', 'Picard',
  'Le Gall', 'Le Goff', 'Le Corre', 'Kerjean', 'Quéré', 'de La Fontaine', "d'Arcy", 'Ferrand', 'Étienne', 'Hébert',
];
const FR_FAMILY_COMPOUND = ['Lefèvre-Dumas', 'Martin-Lavigne', 'Bernard-Ollier', 'Dupont-Aignan', 'Roux-Combaluzier', 'Moreau-Ferrière'];
/** French learners with families from elsewhere: names as commonly written in France. */
const FR_DIASPORA: readonly (readonly [string, string])[] = [
  ['Karim', 'Benali'], ['Yasmine', 'Haddad'], ['Mehdi', 'Bouzid'], ['Nour', 'El Idrissi'], ['Sofiane', 'Cherif'],
  ['Aïcha', 'Traoré'], ['Mamadou', 'Diallo'], ['Fatoumata', 'Keïta'], ['Ibrahima', 'Coulibaly'], ['Awa', 'Konaté'],
  ['Thi Lan', 'Tran'], ['Minh', 'Pham'], ['João', 'Da Silva'], ['Inês', 'Gonçalves'], ['Zofia', 'Kowalska'],
  ['Giulia', 'Rossi'], ['Lorenzo', 'Bianchi'], ['Ayşe', 'Yılmaz'], ['Mehmet', 'Öztürk'], ['Anahit', 'Petrossian'],
];

/** Names in their own script, with the romanisation the learner would use for a user name. */
interface ScriptName {
  givenName: string;
  familyName: string;
  latinGiven: string;
  latinFamily: string;
}
const NON_LATIN: ScriptName[] = [
  { givenName: '芳', familyName: '王', latinGiven: 'fang', latinFamily: 'wang' },
  { givenName: '伟', familyName: '李', latinGiven: 'wei', latinFamily: 'li' },
  { givenName: '花子', familyName: '佐藤', latinGiven: 'hanako', latinFamily: 'sato' },
  { givenName: '지민', familyName: '김', latinGiven: 'jimin', latinFamily: 'kim' },
  { givenName: 'Наталья', familyName: 'Иванова', latinGiven: 'natalia', latinFamily: 'ivanova' },
  { givenName: 'Дмитрий', familyName: 'Соколов', latinGiven: 'dmitri', latinFamily: 'sokolov' },
  { givenName: 'Νικόλαος', familyName: 'Παπαδόπουλος', latinGiven: 'nikolaos', latinFamily: 'papadopoulos' },
  { givenName: 'يوسف', familyName: 'العمراني', latinGiven: 'youssef', latinFamily: 'elamrani' },
  { givenName: 'سلمى', familyName: 'بنعلي', latinGiven: 'salma', latinFamily: 'benali' },
  { givenName: 'תמר', familyName: 'כהן', latinGiven: 'tamar', latinFamily: 'cohen' },
];

const NAMES: Record<Exclude<Country, 'FR'>, { given: string[]; family: string[] }> = {
  BE: {
    given: ['Lotte', 'Élise', 'Amandine', 'Margaux', 'Wout', 'Arnaud', 'Cédric', 'Geoffrey', 'Maxime', 'Laurence', 'Thibault', 'Joke'],
    family: ['Peeters', 'Janssens', 'Maes', 'Jacobs', 'Mertens', 'Willems', 'Claes', 'Goossens', 'Wouters', 'Dubois', 'Lambert', 'Dupont', 'Van den Broeck', 'De Smet', 'Vandenberghe'],
  },
  CH: {
    given: ['Léonie', 'Mathias', 'Céline', 'Yannick', 'Noémie', 'Loïc', 'Anouk', 'Jérémie', 'Fabienne', 'Urs'],
    family: ['Favre', 'Rochat', 'Müller', 'Meier', 'Schneider', 'Bonvin', 'Perret', 'Pittet', 'Chappuis', 'Zürcher', 'Gay-Crosier'],
  },
  CA: {
    given: ['Geneviève', 'Marc-André', 'Félix', 'Mélanie', 'Étienne', 'Josée', 'Maude', 'Jean-Philippe', 'Annie', 'Olivier', 'Émilie'],
    family: ['Tremblay', 'Gagnon', 'Roy', 'Côté', 'Bouchard', 'Gauthier', 'Morin', 'Lavoie', 'Fortin', 'Gagné', 'Ouellet', 'Pelletier', 'Bélanger', 'Lévesque'],
  },
  MA: {
    given: ['Youssef', 'Fatima Zahra', 'Mohammed', 'Nadia', 'Omar', 'Salma', 'Hamza', 'Khadija', 'Amine', 'Imane', 'Othmane'],
    family: ['El Amrani', 'Alaoui', 'Bennani', 'Tazi', 'Berrada', 'Benjelloun', 'El Fassi', 'Chraibi', 'Idrissi', 'Lahlou'],
  },
  SN: {
    given: ['Aminata', 'Moussa', 'Fatou', 'Cheikh', 'Awa', 'Mamadou', 'Aïssatou', 'Ousmane', 'Khady', 'Abdoulaye', 'Ndèye'],
    family: ['Diop', 'Ndiaye', 'Sow', 'Fall', 'Diallo', 'Sarr', 'Faye', 'Gueye', 'Mbaye', 'Ba', 'Cissé', 'Seck'],
  },
  US: {
    given: ['Emily', 'Michael', 'Jessica', 'Daniel', 'Ashley', 'Christopher', 'Madison', 'Tyler', 'Rachel', 'Brandon'],
    family: ['Johnson', 'Smith', 'Williams', 'Brown', 'Miller', 'Davis', "O'Connor", 'Rodriguez', 'Anderson', 'Nguyen'],
  },
};

interface Place {
  city: string;
  timeZone: string;
  /** Postal codes to draw from. */
  postcodes: string[];
}

const PLACES: Record<Country, Place[]> = {
  FR: [
    { city: 'Lyon', timeZone: 'Europe/Paris', postcodes: ['69001', '69002', '69003', '69006', '69007', '69008'] },
    { city: 'Paris', timeZone: 'Europe/Paris', postcodes: ['75005', '75011', '75013', '75015', '75018', '75020'] },
    { city: 'Villeurbanne', timeZone: 'Europe/Paris', postcodes: ['69100'] },
    { city: 'Marseille', timeZone: 'Europe/Paris', postcodes: ['13001', '13006', '13008'] },
    { city: 'Toulouse', timeZone: 'Europe/Paris', postcodes: ['31000', '31400'] },
    { city: 'Bordeaux', timeZone: 'Europe/Paris', postcodes: ['33000', '33800'] },
    { city: 'Lille', timeZone: 'Europe/Paris', postcodes: ['59000', '59800'] },
    { city: 'Nantes', timeZone: 'Europe/Paris', postcodes: ['44000', '44300'] },
    { city: 'Grenoble', timeZone: 'Europe/Paris', postcodes: ['38000', '38100'] },
    { city: 'Saint-Étienne', timeZone: 'Europe/Paris', postcodes: ['42000', '42100'] },
    { city: 'Rennes', timeZone: 'Europe/Paris', postcodes: ['35000', '35700'] },
    { city: 'Strasbourg', timeZone: 'Europe/Paris', postcodes: ['67000'] },
    { city: 'Clermont-Ferrand', timeZone: 'Europe/Paris', postcodes: ['63000'] },
    { city: 'Annecy', timeZone: 'Europe/Paris', postcodes: ['74000'] },
    { city: 'Brest', timeZone: 'Europe/Paris', postcodes: ['29200'] },
    { city: 'Montpellier', timeZone: 'Europe/Paris', postcodes: ['34000', '34070'] },
    { city: 'Bourg-en-Bresse', timeZone: 'Europe/Paris', postcodes: ['01000'] },
    // Overseas departments: France, in another time zone (R-SCH-4).
    { city: 'Saint-Denis', timeZone: 'Indian/Reunion', postcodes: ['97400'] },
    { city: 'Pointe-à-Pitre', timeZone: 'America/Guadeloupe', postcodes: ['97110'] },
    { city: 'Cayenne', timeZone: 'America/Cayenne', postcodes: ['97300'] },
  ],
  BE: [
    { city: 'Bruxelles', timeZone: 'Europe/Brussels', postcodes: ['1000', '1050', '1060'] },
    { city: 'Liège', timeZone: 'Europe/Brussels', postcodes: ['4000', '4020'] },
    { city: 'Namur', timeZone: 'Europe/Brussels', postcodes: ['5000'] },
    { city: 'Louvain-la-Neuve', timeZone: 'Europe/Brussels', postcodes: ['1348'] },
  ],
  CH: [
    { city: 'Genève', timeZone: 'Europe/Zurich', postcodes: ['1201', '1204', '1205'] },
    { city: 'Lausanne', timeZone: 'Europe/Zurich', postcodes: ['1003', '1004'] },
    { city: 'Neuchâtel', timeZone: 'Europe/Zurich', postcodes: ['2000'] },
    { city: 'Fribourg', timeZone: 'Europe/Zurich', postcodes: ['1700'] },
  ],
  CA: [
    { city: 'Montréal', timeZone: 'America/Toronto', postcodes: ['H2X 3K8', 'H3A 1B9', 'H2T 2M2'] },
    { city: 'Québec', timeZone: 'America/Toronto', postcodes: ['G1R 4S9', 'G1K 7P4'] },
    { city: 'Sherbrooke', timeZone: 'America/Toronto', postcodes: ['J1H 5N4'] },
    { city: 'Moncton', timeZone: 'America/Moncton', postcodes: ['E1C 4M1'] },
  ],
  MA: [
    { city: 'Casablanca', timeZone: 'Africa/Casablanca', postcodes: ['20000', '20250'] },
    { city: 'Rabat', timeZone: 'Africa/Casablanca', postcodes: ['10000', '10090'] },
    { city: 'Marrakech', timeZone: 'Africa/Casablanca', postcodes: ['40000'] },
    { city: 'Fès', timeZone: 'Africa/Casablanca', postcodes: ['30000'] },
  ],
  SN: [
    { city: 'Dakar', timeZone: 'Africa/Dakar', postcodes: ['10200', '12500'] },
    { city: 'Saint-Louis', timeZone: 'Africa/Dakar', postcodes: ['32000'] },
    { city: 'Thiès', timeZone: 'Africa/Dakar', postcodes: ['21000'] },
  ],
  US: [
    { city: 'New York', timeZone: 'America/New_York', postcodes: ['NY 10036', 'NY 10027'] },
    { city: 'Boston', timeZone: 'America/New_York', postcodes: ['MA 02116'] },
    { city: 'Chicago', timeZone: 'America/Chicago', postcodes: ['IL 60610'] },
    { city: 'San Francisco', timeZone: 'America/Los_Angeles', postcodes: ['CA 94105'] },
  ],
};

const FR_STREETS = [
  'rue de la République', 'avenue Jean Jaurès', 'rue Victor Hugo', 'boulevard de la Liberté', 'place du Marché',
  'quai des Célestins', 'rue Pasteur', 'rue du Général de Gaulle', 'cours Lafayette', 'rue des Écoles',
  "rue de l'Église", 'allée des Tilleuls', 'impasse des Lilas', 'chemin du Moulin', 'rue Émile Zola',
  'avenue Félix Faure', 'rue Paul Bert', 'rue Saint-Exupéry', 'rue Sainte-Catherine', 'boulevard Gambetta',
];
const BE_STREETS = ['Rue Neuve', 'Chaussée de Waterloo', 'Avenue Louise', 'Rue Saint-Gilles', 'Boulevard d’Avroy', 'Place des Wallons'];
const CH_STREETS = ['Rue du Rhône', 'Avenue de la Gare', 'Rue de Lausanne', 'Chemin des Crêts', 'Route de Florissant'];
const CA_STREETS = ['rue Saint-Denis', 'boulevard Saint-Laurent', 'avenue du Mont-Royal', 'rue Sherbrooke Ouest', 'Grande Allée Est', 'rue King Ouest'];
const MA_STREETS = ['boulevard Mohammed V', 'avenue Hassan II', 'rue Ibn Battouta', 'boulevard Zerktouni', 'avenue Allal Ben Abdellah'];
const SN_STREETS = ['avenue Cheikh Anta Diop', 'rue Carnot', 'avenue Bourguiba', 'route de Ngor', 'rue Mousse Diop'];
const US_STREETS = ['W 42nd St', 'Broadway', 'Commonwealth Ave', 'N State St', 'Market St', 'Amsterdam Ave'];

function address(rng: Rng, country: Country, postcode: string): string {
  const n = rng.int(1, 180);
  switch (country) {
    case 'FR':
      return `${n}${rng.chance(0.08) ? ' bis' : ''} ${rng.pick(FR_STREETS)}${rng.chance(0.2) ? `, appartement ${rng.int(1, 40)}` : ''}, ${postcode}`;
    case 'BE':
      return `${rng.pick(BE_STREETS)} ${n}${rng.chance(0.3) ? ` boîte ${rng.int(1, 12)}` : ''}, ${postcode}`;
    case 'CH':
      return `${rng.pick(CH_STREETS)} ${n}, ${postcode}`;
    case 'CA':
      return `${rng.int(100, 4999)} ${rng.pick(CA_STREETS)}${rng.chance(0.4) ? `, app. ${rng.int(1, 30)}` : ''}, ${postcode}`;
    case 'MA':
      return `${n} ${rng.pick(MA_STREETS)}, ${postcode}`;
    case 'SN':
      return `Villa ${n}, ${rng.pick(SN_STREETS)}, ${postcode}`;
    case 'US':
      return `${rng.int(10, 2500)} ${rng.pick(US_STREETS)}${rng.chance(0.5) ? `, Apt ${rng.int(1, 20)}${rng.pick(['A', 'B', 'C'])}` : ''}, ${postcode}`;
  }
}

function phone(rng: Rng, country: Country): string {
  const pairs = (n: number) => Array.from({ length: n }, () => rng.digits(2)).join(' ');
  switch (country) {
    case 'FR':
      // ARCEP's numbers reserved for fiction: 06 39 98 xx xx (mobile), 01 99 00 xx xx (landline).
      if (rng.chance(0.8)) return rng.chance(0.5) ? `+33 6 39 98 ${pairs(2)}` : `06 39 98 ${pairs(2)}`;
      return `01 99 00 ${pairs(2)}`;
    case 'BE':
      return `+32 4${rng.int(70, 99)} ${pairs(3)}`;
    case 'CH':
      return `+41 7${rng.pick(['6', '7', '8', '9'])} ${rng.digits(3)} ${pairs(2)}`;
    case 'CA':
      return `+1 (${rng.pick(['514', '438', '418', '819'])}) 555-01${rng.digits(2)}`;
    case 'MA':
      return `+212 6 ${pairs(4)}`;
    case 'SN':
      return `+221 7${rng.pick(['0', '6', '7', '8'])} ${rng.digits(3)} ${pairs(2)}`;
    case 'US':
      return `+1 (${rng.pick(['212', '617', '312', '415'])}) 555-01${rng.digits(2)}`;
  }
}

/** Lower-case ASCII for user names and e-mail addresses: accents dropped, ligatures spelled out. */
export function asciiSlug(value: string): string {
  return value
    .replace(/[œŒ]/g, 'oe')
    .replace(/[æÆ]/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/[øØ]/g, 'o')
    .replace(/[łŁ]/g, 'l')
    .replace(/ı/g, 'i')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

const EMAIL_DOMAINS: Record<Country, string[]> = {
  FR: ['example.org', 'example.com', 'courriel.example', 'mail.example', 'etu.univ-lyon3.example'],
  BE: ['mail.be.example', 'example.org'],
  CH: ['mail.ch.example', 'example.org'],
  CA: ['mail.ca.example', 'example.com'],
  MA: ['mail.ma.example', 'example.org'],
  SN: ['mail.sn.example', 'example.org'],
  US: ['example.com', 'example.net'],
};

function unique(base: string, taken: Set<string>, rng: Rng): string {
  let candidate = base;
  while (taken.has(candidate)) candidate = `${base}${rng.int(2, 999)}`;
  taken.add(candidate);
  return candidate;
}

function username(rng: Rng, given: string, family: string, taken: Set<string>): string {
  const g = given || 'learner';
  const f = family || 'fun';
  const base = rng.weighted([
    [`${g[0]}${f}`, 3],
    [`${g}_${f}`, 2],
    [`${g}.${f}`, 2],
    [`${g}${rng.int(1, 99)}`, 1],
    [`${f}${g[0]}`, 1],
  ] as const);
  return unique(base.slice(0, 30), taken, rng);
}

interface DrawnName {
  givenName: string;
  familyName: string;
  latinGiven: string;
  latinFamily: string;
}

/** `scripts` counts the names in other scripts drawn so far: each one is used before any repeats. */
function drawName(rng: Rng, country: Country, scripts: { drawn: number }): DrawnName {
  const latin = (givenName: string, familyName: string): DrawnName => ({ givenName, familyName, latinGiven: asciiSlug(givenName), latinFamily: asciiSlug(familyName) });
  if (country !== 'FR') {
    const pool = NAMES[country];
    return latin(rng.pick(pool.given), rng.pick(pool.family));
  }
  const kind = rng.weighted([
    ['plain', 70],
    ['compound-given', 8],
    ['compound-family', 4],
    ['diaspora', 12],
    ['script', 3],
  ] as const);
  if (kind === 'script') return { ...NON_LATIN[scripts.drawn++ % NON_LATIN.length] };
  if (kind === 'diaspora') {
    const [g, f] = rng.pick(FR_DIASPORA);
    return latin(g, f);
  }
  const given = kind === 'compound-given' ? rng.pick(FR_GIVEN_COMPOUND) : rng.pick(FR_GIVEN);
  let family = kind === 'compound-family' ? rng.pick(FR_FAMILY_COMPOUND) : rng.pick(FR_FAMILY);
  // The guide advises writing in capitals a family name that could also be a given name (R-REG-3):
  // some learners do, and the service keeps their case.
  if (rng.chance(0.1)) family = family.toLocaleUpperCase('fr-FR');
  return latin(given, family);
}

const COUNTRY_WEIGHTS: readonly (readonly [Country, number])[] = [
  ['FR', 75],
  ['BE', 6],
  ['CH', 5],
  ['CA', 5],
  ['MA', 4],
  ['SN', 3],
  ['US', 2],
];

/**
 * Learners the demo names on purpose (the guide's cases), before the generated crowd: later steps can
 * give them a state by key.
 */
interface FeaturedLearner {
  key: string;
  givenName: string;
  familyName: string;
  country: Country;
  cityIndex: number;
  /** Omit the ProctorU profile. */
  noProfile?: boolean;
  latin?: [string, string];
}
const FEATURED: FeaturedLearner[] = [
  { key: 'camille-martin', givenName: 'Camille', familyName: 'Martin', country: 'FR', cityIndex: 0 },
  { key: 'jean-baptiste-lefevre-dumas', givenName: 'Jean-Baptiste', familyName: 'LEFÈVRE-DUMAS', country: 'FR', cityIndex: 1 },
  { key: 'maelle-ndiaye', givenName: 'Maëlle', familyName: "N'Diaye", country: 'FR', cityIndex: 2 },
  { key: 'emily-johnson', givenName: 'Emily', familyName: 'Johnson', country: 'US', cityIndex: 0 },
  { key: 'genevieve-cote', givenName: 'Geneviève', familyName: 'Côté', country: 'CA', cityIndex: 0 },
  { key: 'wang-fang', givenName: '芳', familyName: '王', country: 'FR', cityIndex: 0, latin: ['fang', 'wang'] },
  { key: 'youssef-el-amrani', givenName: 'يوسف', familyName: 'العمراني', country: 'MA', cityIndex: 0, latin: ['youssef', 'elamrani'] },
  { key: 'aminata-diop', givenName: 'Aminata', familyName: 'Diop', country: 'SN', cityIndex: 0 },
  { key: 'loic-le-gall-reunion', givenName: 'Loïc', familyName: 'Le Gall', country: 'FR', cityIndex: 17 },
  { key: 'zoe-dupont-no-profile', givenName: 'Zoé', familyName: 'Dupont', country: 'FR', cityIndex: 0, noProfile: true },
];

/** Share of generated learners with a complete ProctorU profile. */
const PROFILE_SHARE = 0.9;

export function generateLearners(seed = DEMO_SEED, count = DEMO_LEARNER_COUNT): DemoLearner[] {
  const rng = createRng(seed);
  const usernames = new Set<string>();
  const emails = new Set<string>();
  const scripts = { drawn: 0 };
  const learners: DemoLearner[] = [];

  const make = (key: string, name: DrawnName, country: Country, place: Place, withProfile: boolean): DemoLearner => {
    const index = learners.length + 1;
    const latinGiven = name.latinGiven || 'learner';
    const latinFamily = name.latinFamily || String(index);
    const learner: DemoLearner = {
      key,
      // FUN (Open edX) account ids are numbers; the prefix keeps demo accounts recognisable.
      externalId: `fun-demo-${String(100000 + index * 7).padStart(7, '0')}`,
      email: makeEmail(rng, latinGiven, latinFamily, country, emails),
      username: username(rng, latinGiven, latinFamily, usernames),
      givenName: name.givenName,
      familyName: name.familyName,
    };
    if (withProfile) {
      learner.profile = {
        phone: phone(rng, country),
        address: address(rng, country, rng.pick(place.postcodes)),
        city: place.city,
        timeZone: place.timeZone,
        country,
      };
    }
    learners.push(learner);
    return learner;
  };

  for (const f of FEATURED) {
    const name: DrawnName = { givenName: f.givenName, familyName: f.familyName, latinGiven: f.latin?.[0] ?? asciiSlug(f.givenName), latinFamily: f.latin?.[1] ?? asciiSlug(f.familyName) };
    make(f.key, name, f.country, PLACES[f.country][f.cityIndex], !f.noProfile);
  }
  while (learners.length < count) {
    const country = rng.weighted(COUNTRY_WEIGHTS);
    const name = drawName(rng, country, scripts);
    // Most learners live in the big cities of their country.
    const places = PLACES[country];
    const place = country === 'FR' && rng.chance(0.93) ? places[rng.int(0, places.length - 4)] : rng.pick(places);
    make(`learner-${String(learners.length + 1).padStart(3, '0')}`, name, country, place, rng.chance(PROFILE_SHARE));
  }
  return learners;
}

function makeEmail(rng: Rng, given: string, family: string, country: Country, taken: Set<string>): string {
  const domain = rng.pick(EMAIL_DOMAINS[country]);
  const local = rng.weighted([
    [`${given}.${family}`, 4],
    [`${given[0]}${family}`, 2],
    [`${given}${family}${rng.int(1, 99)}`, 1],
  ] as const);
  let candidate = `${local}@${domain}`;
  while (taken.has(candidate)) candidate = `${local}${rng.int(2, 999)}@${domain}`;
  taken.add(candidate);
  return candidate;
}

/** The whole data set for a seed. */
export function generateDemoData(seed = DEMO_SEED): DemoData {
  return { sessions: DEMO_SESSIONS, learners: generateLearners(seed), staff: DEMO_STAFF };
}

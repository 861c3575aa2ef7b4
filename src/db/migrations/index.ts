import { type MigrationObject } from '@mikro-orm/core';
import { M0001Foundation } from './m0001-foundation';

/** Every migration, in order. New migrations are appended here (explicit list: same from src/ and dist/). */
export const MIGRATIONS: MigrationObject[] = [{ name: 'M0001Foundation', class: M0001Foundation }];

import type { Status } from './api';

/** Each status's colour (a record, so a status the API adds fails the type check until it has one). */
export const STATUS_COLOURS: Record<Status, string> = {
  confirmed: '#1b7f3b',
  corroborated: '#4f9d2d',
  reported: '#3465a4',
  assessed: '#7a5aa6',
  unconfirmed: '#8a8f98',
  disputed: '#d4831a',
  denied: '#c0392b',
  retracted: '#5c5c5c',
};

/** In the order the legend and the status filter list them: strongest first. */
export const STATUSES = Object.keys(STATUS_COLOURS) as Status[];

const STANCE_WORDS = {
  asserts: 'asserts',
  confirms: 'confirms',
  denies: 'denies',
  assesses: 'assesses',
  'no-evidence': 'says it has no evidence of',
} as const;

export const stanceWords = (stance: keyof typeof STANCE_WORDS): string => STANCE_WORDS[stance];

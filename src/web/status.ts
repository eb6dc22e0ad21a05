import type { Status } from './api';

/** Each status's colour, dark enough for white badge text (4.5:1); a record, so a status the API adds fails the type check until it has one. */
export const STATUS_COLOURS: Record<Status, string> = {
  confirmed: '#1b7f3b',
  corroborated: '#3d7a22',
  reported: '#3465a4',
  assessed: '#7a5aa6',
  unconfirmed: '#6b717b',
  disputed: '#a8610c',
  denied: '#c0392b',
  retracted: '#5c5c5c',
};

/** In the order the legend and the status filter list them: strongest first. */
export const STATUSES = Object.keys(STATUS_COLOURS) as Status[];

type Stance = 'asserts' | 'confirms' | 'denies' | 'assesses' | 'no-evidence';

/** `very-likely` → `very likely`. */
export const likelihoodWords = (likelihood: string): string => likelihood.replace(/-/g, ' ');

/** What a claim does, as a present-tense phrase: "asserts it", "assesses it very likely", "says it has seen no evidence of it". */
export function stancePhrase(stance: Stance, likelihood: string | null | undefined): string {
  switch (stance) {
    case 'asserts':
      return 'asserts it';
    case 'confirms':
      return 'confirms it';
    case 'denies':
      return 'denies it';
    case 'assesses':
      return `assesses it ${likelihood ? likelihoodWords(likelihood) : '(no likelihood given)'}`;
    case 'no-evidence':
      return 'says it has seen no evidence of it';
  }
}

/** The same in the past tense, for a change line: "denied", "assessed as very likely". */
export function stanceVerb(stance: Stance, likelihood: string | null | undefined): string {
  switch (stance) {
    case 'asserts':
      return 'asserted';
    case 'confirms':
      return 'confirmed';
    case 'denies':
      return 'denied';
    case 'assesses':
      return `assessed as ${likelihood ? likelihoodWords(likelihood) : 'of unstated likelihood'}`;
    case 'no-evidence':
      return 'said it had seen no evidence of';
  }
}

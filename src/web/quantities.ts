import type { Schemas } from './api';

type Quantity = Schemas['PointQuantity'] | Schemas['RangeQuantity'];

const QUALIFIERS = { exact: '', about: 'about ', 'at-least': 'at least ', 'at-most': 'at most ' } as const;

/** `about 3,000 troops`, `1,500–12,000 troops`. */
export function quantityText(quantity: Quantity): string {
  if (quantity.qualifier === 'range') return `${quantity.min.toLocaleString('en')}–${quantity.max.toLocaleString('en')} ${quantity.unit}`;
  return `${QUALIFIERS[quantity.qualifier]}${quantity.value.toLocaleString('en')} ${quantity.unit}`;
}

/** A figure as the estimate lists it. */
export function figureText(figure: Schemas['Figure'], unit: string): string {
  if (figure.qualifier === 'range') return `${figure.min?.toLocaleString('en')}–${figure.max?.toLocaleString('en')} ${unit}`;
  return `${QUALIFIERS[figure.qualifier]}${figure.value?.toLocaleString('en')} ${unit}`;
}

/** `40 ballistic-missiles` or `1,500 to 12,000 troops`: the least and greatest of the stated figures. */
export const rangeText = (low: number, high: number, unit: string): string =>
  low === high ? `${low.toLocaleString('en')} ${unit}` : `${low.toLocaleString('en')} to ${high.toLocaleString('en')} ${unit}`;

/* palette.ts - the categorical palette of the charts: 12 distinct colours
 * (no two alike, readable on white), then one grey "other" colour for every
 * series beyond the twelfth. Series keep their colour by position: the caller
 * orders them (largest first) so the grey goes to the smallest. */

export const PALETTE = [
  '#1F77B4', // blue
  '#FF7F0E', // orange
  '#2CA02C', // green
  '#D62728', // red
  '#9467BD', // purple
  '#8C564B', // brown
  '#E377C2', // pink
  '#17BECF', // cyan
  '#BCBD22', // olive
  '#393B79', // navy
  '#AD494A', // brick
  '#637939', // moss
] as const;

/** Every series past the twelfth. */
export const OTHER = '#B3B9C4';

/** The colour of the i-th series. */
export const colourAt = (i: number): string => (i < PALETTE.length ? PALETTE[i] : OTHER);

/** Colours for n series, in order. */
export const colours = (n: number): string[] => Array.from({ length: n }, (_, i) => colourAt(i));

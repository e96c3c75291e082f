// What the web layer's pages share: JSON that is safe inside a <script> element.

/** JSON safe inside a <script> (no "</script>" can end it early). */
export const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

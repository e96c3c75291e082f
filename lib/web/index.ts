// The web layer: pages a reader opens (the explorer) and notebook outputs that read everywhere.
// May import any other layer of lib/.
export * from './explorer';
export * from './notebook_html';

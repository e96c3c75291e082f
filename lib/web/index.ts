// The web layer: pages a reader opens (the explorer) and notebook outputs that read everywhere.
// May import any other layer of lib/.
export * from './html';
export * from './explorer_codec';
export * from './explorer_template';
export * from './explorer';
export * from './notebook_html';
export * from './site';

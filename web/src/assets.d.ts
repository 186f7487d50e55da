/** Vite asset imports: `import url from './file.json?url'` gives the URL of the emitted (hashed) file. */
declare module '*?url' {
  const url: string;
  export default url;
}

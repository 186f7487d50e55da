// Type declarations for the talisman metrics used (the package ships none).
declare module 'talisman/metrics/jaro-winkler.js' {
  const jaroWinkler: (a: string, b: string) => number;
  export default jaroWinkler;
}
declare module 'talisman/metrics/levenshtein.js' {
  const levenshtein: (a: string, b: string) => number;
  export default levenshtein;
}

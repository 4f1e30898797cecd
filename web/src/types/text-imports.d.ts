/** Files imported `with { type: "text" }` (esbuild's text loader) are their text. */
declare module "*.css" {
  const text: string;
  export default text;
}

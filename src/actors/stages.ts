/** The stages every gateway node runs on its worker threads, as module URLs the workers load. */
export const builtInStages: readonly string[] = [
  new URL('./assembler/stage.js', import.meta.url).href,
  new URL('./router/stage.js', import.meta.url).href,
  new URL('./supplier/stage.js', import.meta.url).href,
  new URL('./correlator/stage.js', import.meta.url).href,
  new URL('./delivery/stage.js', import.meta.url).href,
];

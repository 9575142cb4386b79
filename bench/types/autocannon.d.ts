// autocannon ships no types; the benchmark uses its promise API only.
declare module 'autocannon' {
  const autocannon: (options: Record<string, unknown>) => Promise<{ requests: { total: number }; '2xx': number; non2xx: number }>;
  export default autocannon;
}

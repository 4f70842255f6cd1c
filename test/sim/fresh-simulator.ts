// For the simulator's own test files: each starts on a reset simulator and leaves one
// behind, with an admin API client for its tests.
import { afterAll, beforeAll } from 'vitest';
import { apiClient, reset, type Api } from './sim.ts';

/** Resets the simulator before the file's tests and after them; the admin client is closed after them. */
export function onFreshSimulator(): Api {
  const api = apiClient();
  beforeAll(() => reset());
  afterAll(async () => {
    api.close();
    await reset();
  });
  return api;
}

// Reading a V8 .cpuprofile: self time per call, summed by a place each script names (bench/profile.js,
// bench/profile-call.js).

import { readFileSync } from 'node:fs';

/** Self time per call (µs) of the profile in `file`, by `placeOf(callFrame)`, largest first. */
export function selfTimePerCall(file, calls, placeOf) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map();
  profile.samples.forEach((id, i) => {
    const place = placeOf(frames.get(id));
    totals.set(place, (totals.get(place) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return new Map([...totals].map(([k, us]) => [k, us / calls]).sort((a, b) => b[1] - a[1]));
}

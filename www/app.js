// The demo page's entry: asks demo/serve.js what it serves (the stand-in, or a forwarding proxy to a real GeWe), says
// so in the banner, then starts the story and the recalls by others (stand-in mode only: story.js, recalls.js) and
// the form (form.js). The package is loaded once, by the modules that use it.
import { $, config } from './page.js';
import { startStory } from './story.js';
import { startForm } from './form.js';
import { startRecalls } from './recalls.js';

try {
  Object.assign(config, await (await fetch('/demo-config.json')).json());
} catch {
  // Served by something other than demo/serve.js: same-origin defaults, no stand-in shortcuts.
  Object.assign(config, { mode: 'static', basePath: '/gewe/v2/api' });
}
if (config.mode === 'standin') {
  $('mode').textContent = 'Stand-in mode: GeWe is simulated by this server; its test token and appId are filled in.';
  startStory();
  startRecalls();
} else if (config.mode === 'upstream') {
  $('mode').textContent = `Upstream mode: this server forwards ${config.basePath}/* to ${config.upstream}. Your token goes there and nowhere else.`;
} else {
  $('mode').textContent = 'Static mode: requests go to the base URL below.';
}
startForm();
document.body.dataset.ready = 'true';

// The same recall inside a module worker, where the base is the worker's own location.
import { recallWithPath } from './relative.js';

postMessage(await recallWithPath('worker').catch((e) => ({ error: `${e.code}: ${e.message}` })));

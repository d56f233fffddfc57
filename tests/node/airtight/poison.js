// Responses whose getters and body readers throw. `poisonResponses()` wraps Response.prototype's accessors and
// body methods once (transparently for every other Response); `poison(response, names)` then makes the named ones
// throw for that response, whether the library reads them as own properties or through the prototype.
const poisoned = new WeakMap();
const NAMES = ['status', 'statusText', 'ok', 'headers', 'body', 'bodyUsed', 'type', 'url', 'redirected',
  'text', 'arrayBuffer', 'json', 'blob', 'bytes', 'formData', 'clone'];
let installed = false;

function trap(self, name) {
  if (poisoned.get(self)?.has(name)) throw new Error(`poisoned Response.${name}`);
}

/** Wraps Response.prototype so that poisoned responses throw; call before the package is imported. */
export function poisonResponses() {
  if (installed) return;
  installed = true;
  for (const name of NAMES) {
    const d = Object.getOwnPropertyDescriptor(Response.prototype, name);
    if (!d) continue;
    if (d.get) {
      const get = d.get;
      Object.defineProperty(Response.prototype, name, { ...d, get() { trap(this, name); return get.call(this); } });
    } else if (typeof d.value === 'function') {
      const fn = d.value;
      Object.defineProperty(Response.prototype, name, { ...d, value: function (...args) { trap(this, name); return fn.apply(this, args); } });
    }
  }
}

/** Makes `names` throw on `response`, as own accessors too (for code that reads them off the object). */
export function poison(response, names) {
  poisoned.set(response, new Set(names));
  for (const name of names) {
    Object.defineProperty(response, name, { configurable: true, get() { throw new Error(`poisoned own ${name}`); } });
  }
  return response;
}

// A page behind a proxy: baseUrl is the same-origin path '/gewe/v2/api', in the page and in a module worker.
import { revokeMsg, parseSendReceipt, GeweClient } from '/pkg/browser.js';

/** Sends a message through the stand-in and recalls it with a path baseUrl; what happened, for the test. */
export async function recallWithPath(label) {
  const { standin: { token, appId }, basePath } = await (await fetch('/demo-config.json')).json();
  const sent = await fetch(`${basePath}/message/postText`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gewe-token': token },
    body: JSON.stringify({ appId, toWxid: `wxid_${label}`, content: label }),
  });
  const receipt = parseSendReceipt(await sent.text());
  const viaCall = await revokeMsg({ appId, ...receipt }, { token, baseUrl: basePath });
  const second = parseSendReceipt(await (await fetch(`${basePath}/message/postText`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gewe-token': token },
    body: JSON.stringify({ appId, toWxid: `wxid_${label}`, content: `${label} 2` }),
  })).text());
  const viaClient = await new GeweClient({ token, baseUrl: `${basePath}/`, appId }).revokeMsg(second);
  return { ids: [receipt.newMsgId, second.newMsgId], results: [viaCall, viaClient] };
}

if (typeof document !== 'undefined') {
  const worker = new Worker(new URL('relative-worker.js', import.meta.url), { type: 'module' });
  const inWorker = new Promise((resolve) => worker.addEventListener('message', (e) => resolve(e.data)));
  window.__relative = { page: await recallWithPath('page').catch((e) => ({ error: `${e.code}: ${e.message}` })), worker: await inWorker };
}

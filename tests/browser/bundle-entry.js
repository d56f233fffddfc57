// Bundled by esbuild for the browser in bundle.test.js: the package imported by its name, exercised once.
import { revokeMsg, parseSendReceipt, GeweError } from 'gewe-revoke';

const { token, appId, basePath } = await (await fetch('/demo-config.json')).json().then((c) => ({ ...c.standin, basePath: c.basePath }));
const baseUrl = location.origin + basePath;
const sent = await fetch(`${baseUrl}/message/postText`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-gewe-token': token },
  body: JSON.stringify({ appId, toWxid: 'wxid_bundle', content: 'bundled' }),
});
const receipt = parseSendReceipt(await sent.text());
const result = await revokeMsg({ appId, ...receipt }, { token, baseUrl });
const refused = await revokeMsg({ appId, ...receipt, newMsgId: Number(receipt.newMsgId) }, { token, baseUrl }).catch((e) => e);
window.__bundleResult = { newMsgId: receipt.newMsgId, result, refused: refused instanceof GeweError ? refused.code : String(refused) };

// What GeWe POSTs to a callback URL, for tests and the demo: setCallback's test POST, a friend's message, a group
// message, the account's own phone-sent message, and a message's recall notice, built from the fixtures of
// shared GEWE-CALLBACKS.md with fresh ids above 2^53 written as bare JSON numbers (as GeWe writes them), in the
// PascalCase envelope or the lower-case one a Gewechat release sent; duplicates and late re-deliveries are the same
// text sent again. Dependency-free; only ever posts to the URL it is given.
import { randomBytes, randomInt } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/** The six fixtures of GEWE-CALLBACKS.md, verbatim (raw text, ids as bare numbers). */
export const FIXTURES = {
  /** F1: private text (MsgType 1). */
  privateText: "{\n \"TypeName\": \"AddMsg\",\n \"Appid\": \"wx_anAIaxXZGeuwhKeiGan_n\",\n \"Data\": {\n  \"MsgId\": 1646391156,\n  \"FromUserName\": {\"string\": \"wxid_14up8o14zvhv22\"},\n  \"ToUserName\": {\"string\": \"wxid_upf0exaush5322\"},\n  \"MsgType\": 1,\n  \"Content\": {\"string\": \"test私信消息\"},\n  \"Status\": 3,\n  \"ImgStatus\": 1,\n  \"ImgBuf\": {\"iLen\": 0},\n  \"CreateTime\": 1740026948,\n  \"MsgSource\": \"<msgsource>\\n\\t<pua>1</pua>\\n\\t<eggIncluded>1</eggIncluded>\\n\\t<signature>V1_x3ei9JCA|v1_x3ei9JCA</signature>\\n\\t<tmp_node>\\n\\t\\t<publisher-id></publisher-id>\\n\\t</tmp_node>\\n</msgsource>\\n\",\n  \"PushContent\": \"A ME : test私信消息\",\n  \"NewMsgId\": 346853901463423953,\n  \"MsgSeq\": 852214713\n },\n \"Wxid\": \"wxid_upf0exaush5322\"\n}",
  /** F2: private image (MsgType 3). */
  privateImage: "{\n \"TypeName\": \"AddMsg\",\n \"Appid\": \"wx_wR_U4zPj2M_OTS3BCyoE4\",\n \"Wxid\": \"wxid_phyyedw9xap22\",\n \"Data\": {\n  \"MsgId\": 1040356099,\n  \"FromUserName\": {\"string\": \"wxid_phyyedw9xap22\"},\n  \"ToUserName\": {\"string\": \"wxid_0xsqb3o0tsvz22\"},\n  \"MsgType\": 3,\n  \"Content\": {\"string\": \"<?xml version=\\\"1.0\\\"?>\\n<msg>\\n\\t<img aeskey=\\\"9b7011c38d1af088f579eda23e3b9cad\\\" encryver=\\\"1\\\" cdnthumbaeskey=\\\"9b7011c38d1af088f579eda23e3b9cad\\\" cdnthumburl=\\\"3057020100044b304902010002043904752002032f7e350204aa0dd83a020465a0e6de042438323365313535662d373035372d343264632d383132302d3861323332316131646334660204011418020201000405004c4ec500\\\" cdnthumblength=\\\"2146\\\" cdnthumbheight=\\\"76\\\" cdnthumbwidth=\\\"120\\\" cdnmidheight=\\\"0\\\" cdnmidwidth=\\\"0\\\" cdnhdheight=\\\"0\\\" cdnhdwidth=\\\"0\\\" cdnmidimgurl=\\\"3057020100044b304902010002043904752002032f7e350204aa0dd83a020465a0e6de042438323365313535662d373035372d343264632d383132302d3861323332316131646334660204011418020201000405004c4ec500\\\" length=\\\"2998\\\" md5=\\\"2a4cb28868b9d450a135b1a85b5ba3dd\\\" />\\n\\t<platform_signature></platform_signature>\\n\\t<imgdatahash></imgdatahash>\\n</msg>\\n\"},\n  \"Status\": 3,\n  \"ImgStatus\": 2,\n  \"ImgBuf\": {\"iLen\": 2146, \"buffer\": \"/9j/4AAQSkZJRgABAQAASABIAAD/4QBM...\"},\n  \"CreateTime\": 1705043678,\n  \"MsgSource\": \"<msgsource>\\n\\t<alnode>\\n\\t\\t<cf>2</cf>\\n\\t</alnode>\\n\\t<sec_msg_node>\\n\\t\\t<uuid>5b04ea0181f86c7f3d126e9a7fe5038b_</uuid>\\n\\t</sec_msg_node>\\n\\t<signature>v1_5WGxwSEj</signature>\\n\\t<tmp_node>\\n\\t\\t<publisher-id></publisher-id>\\n\\t</tmp_node>\\n</msgsource>\\n\",\n  \"PushContent\": \"朝夕。 : [图片]\",\n  \"NewMsgId\": 6906713067183447582,\n  \"MsgSeq\": 640356099\n }\n}",
  /** F3: group text with @ (MsgType 1). */
  groupAt: "{\n \"TypeName\": \"AddMsg\",\n \"Appid\": \"wx_xxx\",\n \"Data\": {\n  \"MsgId\": 585326344,\n  \"FromUserName\": {\"string\": \"xxx@chatroom\"},\n  \"ToUserName\": {\"string\": \"wxid_gewechat_bot\"},\n  \"MsgType\": 1,\n  \"Content\": {\"string\": \"wxid_xxx:\\n@name msg_content\"},\n  \"Status\": 3,\n  \"ImgStatus\": 1,\n  \"ImgBuf\": {\"iLen\": 0},\n  \"CreateTime\": 1733447040,\n  \"MsgSource\": \"<msgsource>\\n\\t<atuserlist><![CDATA[,wxid_wvp31dkffyml19]]></atuserlist>\\n\\t<pua>1</pua>\\n\\t<silence>0</silence>\\n\\t<membercount>3</membercount>\\n\\t<signature>V1_cqxXBat9|v1_cqxXBat9</signature>\\n\\t<tmp_node>\\n\\t\\t<publisher-id></publisher-id>\\n\\t</tmp_node>\\n</msgsource>\\n\",\n  \"PushContent\": \"xxx在群聊中@了你\",\n  \"NewMsgId\": 8449132831264840264,\n  \"MsgSeq\": 773900177\n },\n \"Wxid\": \"wxid_gewechat_bot\"\n}",
  /** F4: private recall (MsgType 10002, revokemsg). */
  privateRecall: "{\n \"TypeName\": \"AddMsg\",\n \"Appid\": \"wx_wR_U4zPj2M_OTS3BCyoE4\",\n \"Wxid\": \"wxid_phyyedw9xap22\",\n \"Data\": {\n  \"MsgId\": 1040356116,\n  \"FromUserName\": {\"string\": \"wxid_phyyedw9xap22\"},\n  \"ToUserName\": {\"string\": \"wxid_0xsqb3o0tsvz22\"},\n  \"MsgType\": 10002,\n  \"Content\": {\"string\": \"<sysmsg type=\\\"revokemsg\\\"><revokemsg><session>wxid_phyyedw9xap22</session><msgid>1040356115</msgid><newmsgid>5576224237104747184</newmsgid><replacemsg><![CDATA[\\\"朝夕。\\\" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>\"},\n  \"Status\": 3,\n  \"ImgStatus\": 1,\n  \"ImgBuf\": {\"iLen\": 0},\n  \"CreateTime\": 1705045083,\n  \"MsgSource\": \"<msgsource>\\n\\t<tmp_node>\\n\\t\\t<publisher-id></publisher-id>\\n\\t</tmp_node>\\n</msgsource>\\n\",\n  \"NewMsgId\": 1968256046,\n  \"MsgSeq\": 640356116\n }\n}",
  /** F5: private pat (MsgType 10002, pat). */
  privatePat: "{\n \"TypeName\": \"AddMsg\",\n \"Appid\": \"wx_wR_U4zPj2M_OTS3BCyoE4\",\n \"Wxid\": \"wxid_phyyedw9xap22\",\n \"Data\": {\n  \"MsgId\": 1040356117,\n  \"FromUserName\": {\"string\": \"wxid_phyyedw9xap22\"},\n  \"ToUserName\": {\"string\": \"wxid_0xsqb3o0tsvz22\"},\n  \"MsgType\": 10002,\n  \"Content\": {\"string\": \"<sysmsg type=\\\"pat\\\">\\n<pat>\\n  <fromusername>wxid_phyyedw9xap22</fromusername>\\n  <chatusername>wxid_0xsqb3o0tsvz22</chatusername>\\n  <pattedusername>wxid_0xsqb3o0tsvz22</pattedusername>\\n  <patsuffix><![CDATA[]]></patsuffix>\\n  <patsuffixversion>0</patsuffixversion>\\n\\n\\n\\n\\n  <template><![CDATA[\\\"${wxid_phyyedw9xap22}\\\" 拍了拍我]]></template>\\n\\n\\n\\n\\n</pat>\\n</sysmsg>\"},\n  \"Status\": 3,\n  \"ImgStatus\": 1,\n  \"ImgBuf\": {\"iLen\": 0},\n  \"CreateTime\": 1705045115,\n  \"MsgSource\": \"<msgsource>\\n\\t<tmp_node>\\n\\t\\t<publisher-id></publisher-id>\\n\\t</tmp_node>\\n</msgsource>\\n\",\n  \"NewMsgId\": 5709690173850254331,\n  \"MsgSeq\": 640356117\n }\n}",
  /** F6: setCallback test POST (one line). */
  setCallbackTest: "{\"testMsg\":\"验证回调地址是否可用\",\"token\":\"2ba011b96a48477687692c059c247bf5\"}",
};

export const CALLBACK_APP_ID = 'wx_standin_app';
export const CALLBACK_WXID = 'wxid_standin_bot';

/**
 * A 64-bit id above 2^60 that JSON.parse cannot keep: not a double, and not the digits String() prints for the
 * nearest one, never ending in 000, so a client that parses it and prints it always has another id.
 */
export function bigId() {
  for (;;) {
    const id = ((BigInt('0x' + randomBytes(8).toString('hex')) >> 3n) | (1n << 60n)).toString();
    if (!id.endsWith('000') && BigInt(Number(id)) !== BigInt(id) && String(Number(id)) !== id) return id;
  }
}

/** JSON text with BigInt values written as bare numbers (JSON.stringify cannot write them). */
export function rawJson(value) {
  return JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? `@@${v}@@` : v)).replace(/"@@(\d+)@@"/g, '$1');
}

/**
 * A sender of callbacks to `url` for the account `appId` logged in as `wxid`. Every builder returns
 * `{ text, message }`: the raw body and the ids and fields a receiver should read from it (ids as strings).
 * `lowerCase: true` sends every AddMsg in the lower-case envelope; a builder's `lower` option does it for one.
 * @param {{ url: string, appId?: string, wxid?: string, lowerCase?: boolean, fetch?: typeof fetch }} options
 */
export function createCallbacks({ url, appId = CALLBACK_APP_ID, wxid = CALLBACK_WXID, lowerCase: lowerCaseAll = false, fetch = globalThis.fetch }) {
  const now = () => Math.floor(Date.now() / 1000);
  let seq = randomInt(600_000_000, 900_000_000);

  /** The envelope around an AddMsg Data (F1's shape; the lower-case variant as Gewechat 1.0.2 sent it). */
  function envelope(data, { lower = lowerCaseAll } = {}) {
    return lower ? { type_name: 'AddMsg', appid: appId, data, wxid } : { TypeName: 'AddMsg', Appid: appId, Data: data, Wxid: wxid };
  }

  /** An AddMsg Data like F1's, with fresh ids. */
  function data({ from, to, type = 1, content, status = 3, pushContent, imgBuf = { iLen: 0 }, msgSource, createTime = now() }) {
    const msgId = randomInt(1_000_000_000, 2_000_000_000);
    const newMsgId = bigId();
    const d = {
      MsgId: msgId,
      FromUserName: { string: from },
      ToUserName: { string: to },
      MsgType: type,
      Content: { string: content },
      Status: status,
      ImgStatus: 1,
      ImgBuf: imgBuf,
      CreateTime: createTime,
      MsgSource: msgSource ?? '<msgsource>\n\t<pua>1</pua>\n\t<signature>V1_standin|v1_standin</signature>\n</msgsource>\n',
      ...(pushContent === undefined ? {} : { PushContent: pushContent }),
      NewMsgId: BigInt(newMsgId),
      MsgSeq: ++seq,
    };
    return { d, ids: { msgId: String(msgId), newMsgId, msgSeq: String(seq), createTime: String(createTime) } };
  }

  const built = (d, ids, fields, options) => ({ text: rawJson(envelope(d, options)), message: { appId, ...ids, ...fields } });

  return {
    url,
    appId,
    wxid,
    /** setCallback's test POST: GeWe echoes the token setCallback was given (F6). */
    setCallbackTest(token) {
      return { text: JSON.stringify({ testMsg: '验证回调地址是否可用', token }) };
    },
    /** A friend's text message to the account (F1). */
    friendMessage({ from = 'wxid_standin_friend', text = 'test私信消息', ...options } = {}) {
      const { d, ids } = data({ from, to: wxid, content: text, pushContent: `A ME : ${text}` });
      return built(d, ids, { chat: from, from, sender: from, own: false, type: 1, text }, options);
    },
    /** A member's message in a group: the body carries a `wxid:\n` prefix (F3). */
    groupMessage({ room = '20000000001@chatroom', sender = 'wxid_standin_member', text = '@bot\u2005群消息', ...options } = {}) {
      const { d, ids } = data({ from: room, to: wxid, content: `${sender}:\n${text}`, pushContent: 'xxx在群聊中@了你' });
      return built(d, ids, { chat: room, from: room, sender, own: false, type: 1, text }, options);
    },
    /** A message the account typed on its phone (FromUserName is its own wxid; API sends produce none). */
    ownMessage({ to = 'wxid_standin_friend', text = '手机发的消息', createTime, ...options } = {}) {
      const { d, ids } = data({ from: wxid, to, content: text, createTime });
      return built(d, ids, { chat: to, from: wxid, sender: wxid, own: true, type: 1, text }, options);
    },
    /** An image with an inline base64 thumbnail in ImgBuf (F2's shape). */
    imageMessage({ from = 'wxid_standin_friend', thumbnailBytes = 2146, ...options } = {}) {
      const xml = '<?xml version="1.0"?>\n<msg>\n\t<img aeskey="9b7011c38d1af088f579eda23e3b9cad" length="2998" md5="2a4cb28868b9d450a135b1a85b5ba3dd" />\n</msg>\n';
      const buffer = randomBytes(thumbnailBytes).toString('base64');
      const { d, ids } = data({ from, to: wxid, type: 3, content: xml, pushContent: '朝夕。 : [图片]', imgBuf: { iLen: thumbnailBytes, buffer } });
      return built(d, ids, { chat: from, from, sender: from, own: false, type: 3, text: xml, thumbnail: buffer }, options);
    },
    /**
     * The recall notice of `message` (F4's shape; in a group the member's prefix and Status 4, as the same protocol
     * sends it). `by` is who recalled it (default its sender); `name` the display name in the notice's text.
     */
    recall(message, { by = message.sender, name = '朝夕。', ...options } = {}) {
      const group = message.chat.endsWith('@chatroom');
      const xml = `<sysmsg type="revokemsg"><revokemsg><session>${message.chat}</session><msgid>${message.msgId}</msgid><newmsgid>${message.newMsgId}</newmsgid><replacemsg><![CDATA["${name}" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>`;
      const { d, ids } = group
        ? data({ from: message.chat, to: wxid, type: 10002, content: `${by}:\n${xml}`, status: 4 })
        : data({ from: message.chat, to: wxid, type: 10002, content: xml });
      return built(d, ids, { chat: message.chat, type: 10002, recalls: { newMsgId: message.newMsgId, msgId: message.msgId, by, text: `"${name}" 撤回了一条消息` } }, options);
    },
    /** POSTs a built callback (or raw text) as GeWe does; answers status, body and how long the answer took. */
    async post(callback, { headers = {} } = {}) {
      const text = typeof callback === 'string' ? callback : callback.text;
      const started = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json;charset=UTF-8', ...headers }, body: text });
      const body = await res.text();
      return { status: res.status, body, ms: performance.now() - started };
    },
  };
}

/**
 * Plays what GeWe sends once setCallback points at a receiver: its test POST (with `token`), a friend's message and a
 * group message, each sent twice (duplicates), both recall notices, the friend's message once more in the
 * lower-case envelope, and, `lateMs` later, the friend's message and its notice again (a late re-delivery).
 * Answers every callback built and every answer, in order.
 */
export async function playScenario(callbacks, { token = 'standin-token-0123456789', lateMs = 0 } = {}) {
  const friend = callbacks.friendMessage();
  const group = callbacks.groupMessage();
  const friendRecall = callbacks.recall(friend.message);
  const groupRecall = callbacks.recall(group.message);
  const lower = { text: lowerCase(friend.text), message: friend.message };
  const steps = [
    ['setCallback test', callbacks.setCallbackTest(token)],
    ['friend message', friend],
    ['friend message (duplicate)', friend],
    ['group message', group],
    ['group message (duplicate)', group],
    ['friend recall', friendRecall],
    ['group recall', groupRecall],
    ['friend message (lower-case envelope)', lower],
  ];
  const answers = [];
  const play = async (name, callback) => answers.push({ name, ...(await callbacks.post(callback)) });
  for (const [name, callback] of steps) await play(name, callback);
  if (lateMs > 0) await new Promise((resolve) => setTimeout(resolve, lateMs));
  await play('friend message (late re-delivery)', friend);
  await play('friend recall (late re-delivery)', friendRecall);
  return { friend, group, friendRecall, groupRecall, answers };
}

/** The same callback with the envelope's keys in lower case (data, appid, type_name, wxid), as Gewechat 1.0.2 sent it. */
export function lowerCase(text) {
  const keys = { TypeName: 'type_name', Appid: 'appid', Data: 'data', Wxid: 'wxid' };
  // Only these keys themselves: inside a JSON string a quote is escaped, so `\"Data\":` in a body stays.
  return text.replace(/(?<!\\)"(TypeName|Appid|Data|Wxid)"(\s*:)/g, (all, key, colon) => `"${keys[key]}"${colon}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = process.argv[2];
  if (!url) {
    console.error('usage: node standin/callbacks.js <callback URL> [--app-id ID] [--late-ms N]');
    process.exit(2);
  }
  const option = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
  const { answers } = await playScenario(createCallbacks({ url, appId: option('--app-id', CALLBACK_APP_ID) }), { lateMs: Number(option('--late-ms', '0')) });
  for (const a of answers) console.log(`${String(a.status).padEnd(4)} ${String(Math.round(a.ms)).padStart(5)} ms  ${a.name}`);
}

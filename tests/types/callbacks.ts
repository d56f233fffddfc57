// gewe-revoke/callbacks' declarations, checked by tsc --strict: the tagged unions narrow, ids are strings, and a
// parsed object is refused at compile time (JSON.parse has already rounded NewMsgId).
import { GeweError, parseCallback, type Callback, type CallbackRecall } from 'gewe-revoke/callbacks';
import { GeweError as MainError } from 'gewe-revoke';

const parsed: Callback = parseCallback('{"testMsg":"x","token":"t"}');
if (parsed.kind === 'message') {
  const id: string = parsed.message.newMsgId;
  const sys = parsed.message.sysmsg;
  if (sys?.kind === 'recall') {
    const recall: CallbackRecall = sys;
    const recalled: string = recall.newMsgId;
    void recalled;
  } else if (sys?.kind === 'other') {
    const type: string = sys.type;
    void type;
  }
  const appid: string = parsed.envelope.appid;
  void id, void appid;
}
// @ts-expect-error a parsed object is not the raw text
parseCallback({});
const same: typeof MainError = GeweError;
void same;

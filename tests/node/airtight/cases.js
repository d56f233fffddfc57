// Every Airtight case by name, for child.js.
import { hostile } from './hostile.js';
import { deadline } from './deadline.js';
import { bounded } from './bounded.js';
import { redirect } from './redirect.js';
import { pollution } from './pollution.js';
import { delivery } from './delivery.js';
import { redaction } from './redaction.js';
import { urls } from './urls.js';
import { success } from './success.js';
import { many } from './many.js';

export const cases = { ...hostile, ...deadline, ...bounded, ...redirect, ...pollution, ...delivery, ...redaction, ...urls, ...success, ...many };

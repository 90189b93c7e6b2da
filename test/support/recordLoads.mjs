/* global process, URL */
// node --import <this file>: every module URL the program resolves is appended to $GOBUNDLE_RECORD_LOADS.
import { register } from 'node:module';

register(new URL('./recordLoadsHooks.mjs', import.meta.url), { data: { out: process.env.GOBUNDLE_RECORD_LOADS } });

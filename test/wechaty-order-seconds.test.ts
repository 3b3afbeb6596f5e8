/**
 * The per-user order test again with the mock puppet's timestamps floored to whole seconds,
 * as wechat4u stamps them (red-team M14), at 200 users.
 */
process.env.ORDER_SECONDS = '1';
process.env.ORDER_USERS ??= '200';
await import('./wechaty-order.test.js');

export {};

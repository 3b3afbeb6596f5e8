import { beforeAll, describe, expect, it } from 'vitest';
import { chat, loadKit, type Kit } from './helpers.js';

/**
 * A story that shows a scam signal chooses no honest branch (src/core/story-signal.ts): an
 * impostor who names the user's child, wife or old friend must not send the conversation to
 * the branch about that person. The situation is asked instead; a story without the signal
 * still gives it.
 */
let kit: Kit;
beforeAll(async () => {
  kit = await loadKit();
});

describe('a story with a scam signal', () => {
  it('gives no honest situation: the son an impostor named is not "a child paid"', () => {
    const c = chat(kit.engine, { lang: 'zh-CN' });
    c.say('有人自称是我女儿的辅导老师 让我扫码交报名费 后来问了学校根本没有这个人');
    expect(c.session?.facts.scamSignal).toBe(true);
    expect(c.session?.facts.situation).toBeUndefined();
  });

  it('in English too, and the situation is asked once the confirmation is answered "no"', () => {
    const c = chat(kit.engine, { lang: 'en' });
    c.say(
      "someone said he was my son's coach and asked me to pay a fee, the school says nobody like that works there",
    );
    expect(c.session?.facts.situation).toBeUndefined();
    const asked: string[] = [];
    for (const answer of ['no', 'reward code', 'no', 'no', 'no']) {
      c.say(answer);
      asked.push(c.session?.stepId ?? '');
      if (c.session?.confirming) asked.push('confirming');
    }
    expect(asked).toContain('confirming');
    expect(c.session?.facts.signalConfirmed).toBe(false);
    expect(c.session?.stepId).toBe('what-happened');
  });

  it('a story without the signal still gives its situation', () => {
    const c = chat(kit.engine, { lang: 'zh-CN' });
    c.say('我女儿拿我手机给主播打赏了三百');
    expect(c.session?.facts.scamSignal).toBeUndefined();
    expect(c.session?.facts.situation).toBe('minor');
  });
});

describe('a choice read by meaning from a story', () => {
  it('is taken at high confidence where no option is named, and read back', () => {
    const c = chat(kit.engine, { lang: 'en' });
    const reply = c.say('sent 200 to the wrong wechat contact with the same avatar, last night');
    expect(c.session?.facts.situation).toBe('wrong-recipient');
    expect(reply).toContain('I paid the wrong person');
  });

  it('is not taken from a story with a scam signal', () => {
    const c = chat(kit.engine, { lang: 'en' });
    c.say(
      'the card machine hung so i paid twice, then a man called saying he can refund it if i share my screen',
    );
    expect(c.session?.facts.scamSignal).toBe(true);
    expect(c.session?.facts.situation).toBeUndefined();
  });
});

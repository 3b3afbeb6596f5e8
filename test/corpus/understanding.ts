/**
 * A labelled corpus of replies as people type them on a phone, in both languages, with tricky
 * negatives. Each line is `text => expected`, where expected is the value the fact must get,
 * or `?` when the only right thing is to ask again (a range, a guess, a contradiction). The
 * understanding test reads each line through `parseMessage`, as the chat would, and prints
 * the rates: understood, recorded wrong, asked again.
 */
export const TODAY = '2026-11-29'; // a Sunday

export interface StepCases {
  step: string;
  lang: 'zh-CN' | 'en';
  lines: string;
}

export const STEP_CASES: StepCases[] = [
  {
    step: 'urgent-check',
    lang: 'zh-CN',
    lines: `
      是 => true
      是的 => true
      嗯嗯 => true
      对的 => true
      是，他一直在催 => true
      是滴 => true
      有人一直催我转钱 => true
      对方一直让我交钱 => true
      不是 => false
      没有 => false
      木有 => false
      米有 => false
      没有人催我 => false
      不是，我就是转错了 => false
      有一笔赞赏付错了 => false
      没，只是金额输错了 => false
      不知道 => unsure
      说不好 => unsure
      不清楚 => unsure
      也许吧 => unsure
      没有转，但对方让我交保证金才能退款 => true
      他 => ?
      500 => ?
      `,
  },
  {
    step: 'urgent-check',
    lang: 'en',
    lines: `
      yes => true
      yep => true
      yeah they keep asking me to pay => true
      I think so => true
      no => false
      nope => false
      not really => false
      no, I just typed the wrong amount => false
      nobody is pressing me => false
      not sure => unsure
      idk => unsure
      maybe => unsure
      hello => ?
      `,
  },
  {
    step: 'ask-can-reach',
    lang: 'zh-CN',
    lines: `
      能 => true
      可以 => true
      能联系上 => true
      联系得上 => true
      有他微信 => true
      我们还是好友 => true
      不能 => false
      联系不上 => false
      对方把我拉黑了 => false
      有他微信但他拉黑我了 => false
      他把我删了 => false
      对方已经注销了 => false
      找不到人 => false
      不认识，是陌生人 => false
      他没有拉黑我 => true
      不知道 => unsure
      不确定 => unsure
      嗯 => true
      行 => true
      不行 => false
      `,
  },
  {
    step: 'ask-can-reach',
    lang: 'en',
    lines: `
      yes => true
      yes I have their wechat => true
      we are still friends => true
      no => false
      they blocked me => false
      he deleted me => false
      I can't => false
      no way to reach them => false
      not sure => unsure
      `,
  },
  {
    step: 'd-deceived',
    lang: 'zh-CN',
    lines: `
      没错，他骗了我 => true
      他骗了我 => true
      是，被骗了 => true
      对方冒充主播 => true
      被套路了 => true
      对方没骗我 => false
      对方没有骗我 => false
      是我自己要打赏的 => false
      他没骗我，是我自愿的 => false
      没人骗我 => false
      没有 => false
      不是 => false
      不知道 => unsure
      说不好 => unsure
      不是我自己要打赏的 => ?
      `,
  },
  {
    step: 'd-deceived',
    lang: 'en',
    lines: `
      yes he tricked me => true
      they lied to me => true
      it was a scam => true
      no => false
      he didn't scam me => false
      nobody deceived me => false
      it was my own choice => false
      not sure => unsure
      `,
  },
  {
    step: 'c-induced',
    lang: 'zh-CN',
    lines: `
      是，主播让他打赏说会返钱 => true
      对方说打赏返利 => true
      有人诱导的 => true
      不是，他自己乱点的 => false
      娃自己玩的时候点的 => false
      不小心点到的 => false
      没有人诱导 => false
      不清楚 => unsure
      `,
  },
  {
    step: 'c-platform',
    lang: 'zh-CN',
    lines: `
      是，在抖音直播里 => true
      在游戏里 => true
      是 => true
      不是，是扫的赞赏码 => false
      公众号文章 => false
      不是 => false
      不确定 => unsure
      `,
  },
  {
    step: 'd-payer-minor',
    lang: 'zh-CN',
    lines: `
      是我儿子 => true
      是未成年人 => true
      不是，我自己付的 => false
      是我本人 => false
      成年人 => false
      `,
  },
  {
    step: 'red-packet-opened',
    lang: 'zh-CN',
    lines: `
      已经被领了 => true
      领了 => true
      还没领 => false
      没人领 => false
      不知道 => unsure
      `,
  },
  {
    step: 'ask-amount',
    lang: 'zh-CN',
    lines: `
      500 => 500
      ¥500 => 500
      500元 => 500
      五百块 => 500
      五百 => 500
      伍佰 => 500
      贰仟 => 2000
      5百 => 500
      1千3 => 1300
      2万5 => 25000
      1.5万 => 15000
      一点五万 => 15000
      两千三 => 2300
      一万五 => 15000
      三百五 => 350
      八十八块八 => 88.8
      5毛 => 0.5
      三块五毛 => 3.5
      12块5 => 12.5
      100块5毛 => 100.5
      五块五 => 5.5
      五元五角 => 5.5
      三点五 => 3.5
      一千零五十 => 1050
      1,200 => 1200
      ５００ => 500
      转错了五百块 => 500
      付了888 => 888
      66.6 => 66.6
      520 => 520
      五二零 => 520
      13.14元 => 13.14
      500，本来只想打5块 => 500
      本来想付50结果付了500 => 500
      五六百 => ?
      两三百 => ?
      几百 => ?
      大概三百多 => ?
      四五百 => ?
      300-400 => ?
      三百到四百 => ?
      五百左右 => ?
      差不多一千 => ?
      半万 => ?
      500还是5000记不清了 => ?
      $50 => ?
      50美元 => ?
      50刀 => ?
      100港币 => ?
      0 => ?
      -500 => ?
      一亿 => ?
      不记得了 => ?
      很多钱 => ?
      一个人 => ?
      `,
  },
  {
    step: 'ask-amount',
    lang: 'en',
    lines: `
      500 => 500
      500 yuan => 500
      rmb 88.8 => 88.8
      3k => 3000
      I paid 500 instead of 5 => 500
      about 300 => ?
      300 or 400 => ?
      $20 => ?
      20 dollars => ?
      a few hundred => ?
      <script>alert(1)</script> => ?
      `,
  },
  {
    step: 'ask-date',
    lang: 'zh-CN',
    lines: `
      今天 => 2026-11-29
      昨天 => 2026-11-28
      前天 => 2026-11-27
      大前天 => 2026-11-26
      3天前 => 2026-11-26
      三天前 => 2026-11-26
      两周前 => 2026-11-15
      上周五 => 2026-11-20
      上周日 => 2026-11-22
      上周一 => 2026-11-16
      上星期六 => 2026-11-21
      上上周五 => 2026-11-13
      周五 => 2026-11-27
      这周三 => 2026-11-25
      11月20日 => 2026-11-20
      11月20号 => 2026-11-20
      11.20 => 2026-11-20
      11/20 => 2026-11-20
      2026-11-20 => 2026-11-20
      2026年11月20日 => 2026-11-20
      20号 => 2026-11-20
      20号晚上 => 2026-11-20
      昨天下午 => 2026-11-28
      我昨天付的 => 2026-11-28
      上个月15号 => 2026-10-15
      这个月20号 => 2026-11-20
      双十一 => 2026-11-11
      12月20日 => 2025-12-20
      半个月前 => ?
      月初 => ?
      月中 => ?
      中旬 => ?
      月底 => ?
      上个月 => ?
      上周 => ?
      前几天 => ?
      最近 => ?
      20号左右 => ?
      我不记得20号还是21号 => ?
      2月30日 => ?
      32号 => ?
      2027-01-01 => ?
      明天 => ?
      2010-05-01 => ?
      十亿天前 => ?
      不记得了 => ?
      `,
  },
  {
    step: 'ask-date',
    lang: 'en',
    lines: `
      today => 2026-11-29
      yesterday => 2026-11-28
      3 days ago => 2026-11-26
      two weeks ago => 2026-11-15
      last Friday => 2026-11-27
      the 20th => 2026-11-20
      Nov 20 => 2026-11-20
      November 20, 2026 => 2026-11-20
      2026-11-20 => 2026-11-20
      last week => ?
      last month => ?
      a few days ago => ?
      next friday => ?
      99999999 weeks ago => ?
      `,
  },
  {
    step: 'payment-kind',
    lang: 'zh-CN',
    lines: `
      1 => reward-code
      １ => reward-code
      第一个 => reward-code
      1️⃣ => reward-code
      赞赏码 => reward-code
      扫了他的赞赏码 => reward-code
      赞上码 => reward-code
      zanshangma => reward-code
      公众号文章赞赏 => reward-code
      扫了他的收款码 => receipt-code
      个人收款码 => receipt-code
      对方还没收款 => transfer-pending
      转账对方已经收了 => transfer-accepted
      发红包发错了 => red-packet
      直播打赏 => live-gift
      视频号里刷礼物 => live-gift
      付给商家 => merchant
      不确定 => not-sure
      不知道 => not-sure
      转账 => ?
      9 => ?
      赞赏码还是收款码 => ?
      `,
  },
  {
    step: 'payment-kind',
    lang: 'en',
    lines: `
      1 => reward-code
      reward code => reward-code
      I tipped them => reward-code
      their personal payment QR code => receipt-code
      a transfer they have not accepted yet => transfer-pending
      red packet => red-packet
      live stream gift => live-gift
      not sure => not-sure
      `,
  },
  {
    step: 'what-happened',
    lang: 'zh-CN',
    lines: `
      1 => scam
      被骗了 => scam
      遇到骗子了 => scam
      付错人了 => wrong-recipient
      转错人了 => wrong-recipient
      扫错码了 => wrong-recipient
      不是被骗，是转错人了 => wrong-recipient
      金额输错了 => wrong-amount
      多按了个零 => wrong-amount
      钱打多了 => wrong-amount
      付多了 => wrong-amount
      付了两次 => duplicate
      重复付款 => duplicate
      孩子付的 => minor
      娃拿我手机乱点的 => minor
      说好给资源结果没给 => not-delivered
      后悔了 => regret
      不想给了 => regret
      被骗了还是付错了我也不知道 => ?
      老人付的 => elderly
      我妈付的 => elderly
      我爸给主播打赏了 => elderly
      奶奶自己点的 => elderly
      孙子拿我手机乱点的 => minor
      我老公瞒着我给别人转钱 => spouse
      老婆给小三... 不对，是我老公出轨给别人钱 => spouse
      孩子用了奶奶的手机 => ?
      `,
  },
  {
    step: 'what-happened',
    lang: 'en',
    lines: `
      I was scammed => scam
      I paid the wrong person => wrong-recipient
      typo, an extra zero => wrong-amount
      I paid twice => duplicate
      my son paid => minor
      they promised a course and never sent it => not-delivered
      I regret it => regret
      not a scam, I paid the wrong person => wrong-recipient
      my grandma paid => elderly
      my dad tipped someone => elderly
      my grandson used my phone => minor
      my husband gave our money to his mistress => spouse
      `,
  },
  {
    step: 'e-induced',
    lang: 'zh-CN',
    lines: `
      是 => true
      有人冒充客服让她付的 => true
      说是买保健品 => true
      对方说能返钱 => true
      不是，她自己点的 => false
      没人劝，是冲动 => false
      不确定 => unsure
      `,
  },
  {
    step: 'e-induced',
    lang: 'en',
    lines: `
      yes, someone posing as customer service => true
      they promised a prize => true
      no, she did it on her own => false
      not sure => unsure
      `,
  },
  {
    step: 'l-impersonated',
    lang: 'zh-CN',
    lines: `
      是 => true
      有可能 => true
      号可能被盗了 => true
      不确定 => unsure
      不是 => false
      是本人，当面借的 => false
      打过电话确认过 => false
      不是，是我亲戚 => false
      是他本人 => false
      可能不是他本人 => true
      不是他本人 => ?
      `,
  },
  {
    step: 'l-impersonated',
    lang: 'en',
    lines: `
      yes => true
      maybe, it could be a hacked account => unsure
      it could have been a hacked account => true
      no, I lent it in person => false
      no => false
      `,
  },
  {
    step: 'what-happened',
    lang: 'zh-CN',
    lines: `
      借给朋友的钱他不还 => loan
      他欠我钱不还 => loan
      `,
  },
  {
    step: 'e-capacity',
    lang: 'zh-CN',
    lines: `
      是，她有老年痴呆 => true
      有阿尔茨海默病 => true
      没有，脑子很清楚 => false
      不是 => false
      说不好 => unsure
      `,
  },
  {
    step: 's-deceived',
    lang: 'zh-CN',
    lines: `
      是，网恋被骗了 => true
      不是，他是出轨 => false
      不知道 => unsure
      `,
  },
  {
    step: 's-purpose',
    lang: 'zh-CN',
    lines: `
      给小三的 => affair
      打赏主播 => live
      3 => other
      `,
  },
  {
    step: 's-purpose',
    lang: 'en',
    lines: `
      his mistress => affair
      tips to a streamer => live
      something else => other
      `,
  },
  {
    step: 'c-age',
    lang: 'zh-CN',
    lines: `
      1 => under-8
      2 => from-8-to-17
      12岁 => from-8-to-17
      十五 => from-8-to-17
      十五岁 => from-8-to-17
      6岁 => under-8
      快8岁了 => under-8
      刚满8岁 => from-8-to-17
      八岁 => from-8-to-17
      初中生 => from-8-to-17
      高中生 => from-8-to-17
      上幼儿园 => under-8
      他今年10岁了 => from-8-to-17
      12 => from-8-to-17
      小学生 => ?
      `,
  },
  {
    step: 'c-age',
    lang: 'en',
    lines: `
      she's 6 => under-8
      he is 12 => from-8-to-17
      15 years old => from-8-to-17
      teenager => from-8-to-17
      `,
  },
  {
    step: 'ask-recipient',
    lang: 'zh-CN',
    lines: `
      小王 => 小王
      阿明的小店 => 阿明的小店
      显示的是 小王 => 小王
      显示为：张三 => 张三
      跳过 => 
      看不到 => 
      不记得了 => 
      忘了 => 
      没显示 => 
      不知道 => 
      返利小助手 => 返利小助手
      `,
  },
  {
    step: 'ask-recipient',
    lang: 'en',
    lines: `
      Xiao Wang => Xiao Wang
      it says Xiao Wang => Xiao Wang
      skip => 
      idk => 
      N/A => 
      can't see it => 
      `,
  },
  {
    step: 'urgent-check',
    lang: 'zh-CN',
    lines: `
      对 => true
      嗯 => true
      恩恩 => true
      确实有 => true
      有的 => true
      是啊，客服一直打电话 => true
      有人逼我再转一笔 => true
      否 => false
      没呢 => false
      没有没有 => false
      不是的，我自己转错了 => false
      没人 => false
      后悔了想要回来 => false
      不太清楚 => unsure
      拿不准 => unsure
      我也不知道算不算 => unsure
      `,
  },
  {
    step: 'urgent-check',
    lang: 'en',
    lines: `
      yup => true
      yes, customer service keeps calling => true
      sure => true
      nah => false
      no one => false
      no, it was just a mistake => false
      I don't think so => false
      dunno => unsure
      hard to say => unsure
      `,
  },
  {
    step: 'ask-can-reach',
    lang: 'zh-CN',
    lines: `
      可以联系 => true
      有聊天窗口 => true
      能私信 => true
      有联系方式 => true
      没有联系方式 => false
      他不回我 => false
      账号被封了 => false
      被屏蔽了 => false
      打不通 => false
      加不上 => false
      说不准 => unsure
      `,
  },
  {
    step: 'ask-amount',
    lang: 'zh-CN',
    lines: `
      5000元 => 5000
      五千 => 5000
      1000块钱 => 1000
      一千块 => 1000
      9.9 => 9.9
      6块6 => 6.6
      3毛 => 0.3
      两块 => 2
      八百八 => 880
      2w => 20000
      十块 => 10
      拾元 => 10
      壹佰元 => 100
      付了两次500 => 500
      一笔500 => 500
      三百多 => ?
      一两千 => ?
      几千块 => ?
      五十来块 => ?
      `,
  },
  {
    step: 'ask-amount',
    lang: 'en',
    lines: `
      200 => 200
      ¥66 => 66
      1,500 => 1500
      88 kuai => 88
      around 500 => ?
      500 or 5000 => ?
      50 euros => ?
      `,
  },
  {
    step: 'ask-date',
    lang: 'zh-CN',
    lines: `
      昨晚 => 2026-11-28
      今天上午 => 2026-11-29
      前天晚上 => 2026-11-27
      5天前 => 2026-11-24
      一周前 => 2026-11-22
      上礼拜五 => 2026-11-20
      星期五 => 2026-11-27
      10月1日 => 2026-10-01
      2026.11.20 => 2026-11-20
      1号 => 2026-11-01
      上周末 => ?
      去年 => ?
      很久以前 => ?
      后天 => ?
      `,
  },
  {
    step: 'ask-date',
    lang: 'en',
    lines: `
      the day before yesterday => 2026-11-27
      a week ago => 2026-11-22
      last Sunday => 2026-11-22
      Oct 1 => 2026-10-01
      the 1st => 2026-11-01
      earlier this week => ?
      sometime last month => ?
      `,
  },
  {
    step: 'what-happened',
    lang: 'zh-CN',
    lines: `
      输错金额了 => wrong-amount
      扣了两次 => duplicate
      小孩用我手机付的 => minor
      反悔了 => regret
      没兑现承诺 => not-delivered
      刷单返利被骗 => scam
      `,
  },
  {
    step: 'payment-kind',
    lang: 'zh-CN',
    lines: `
      收款码 => receipt-code
      群红包 => red-packet
      抖音直播 => live-gift
      买东西 => merchant
      赞赏 => reward-code
      2 => receipt-code
      八 => not-sure
      `,
  },
  {
    step: 'd-deceived',
    lang: 'zh-CN',
    lines: `
      对，他骗我说会返钱 => true
      是被骗了 => true
      我觉得是被忽悠了 => true
      不是被骗 => false
      心甘情愿给的 => false
      没有被骗 => false
      `,
  },
];

/** Opening messages that tell a story: the facts they state, and nothing else, must be taken. */
export const STORIES: Array<{
  lang: 'zh-CN' | 'en';
  text: string;
  facts: Record<string, string | number | boolean>;
}> = [
  // 2026-12-04, after the third story set's legal-weight misreads: the amount typed into is
  // the one paid, "N wan", "2k each", several red packets uncounted, a promised return's day
  // and a vague payment time give no payment date.
  {
    lang: 'zh-CN',
    text: '前天想赞赏作者10块 结果付成了1000 作者还能私信',
    facts: { situation: 'wrong-amount', paidOn: '2026-11-27', amount: 1000, intendedAmount: 10 },
  },
  {
    lang: 'en',
    text: 'lent my cousin 2000 last month, he said he would pay me back on friday',
    facts: { situation: 'loan', amount: 2000 },
  },
  {
    lang: 'en',
    text: 'she sent 3 transfers of 2k each to a seller who then vanished',
    facts: { severalPayments: true, amount: 6000 },
  },
  {
    lang: 'zh-CN',
    text: '给前任发过好几个1314的红包 现在分手了后悔',
    facts: { situation: 'regret', severalPayments: true },
  },
  {
    lang: 'zh-CN',
    text: '我上个月给他转了800 这周三他把我拉黑了',
    facts: { amount: 800, canReach: false },
  },
  {
    lang: 'zh-CN',
    text: '我昨天扫一个公众号作者的赞赏码，本来想付5块多打了两个0付了500，怎么要回来',
    facts: {
      paymentKind: 'reward-code',
      situation: 'wrong-amount',
      paidOn: '2026-11-28',
      amount: 500,
      intendedAmount: 5,
    },
  },
  { lang: 'zh-CN', text: '转错了五百块', facts: { situation: 'wrong-recipient', amount: 500 } },
  {
    lang: 'zh-CN',
    text: '上周五扫赞赏码多按了个零，付了888元',
    facts: {
      paymentKind: 'reward-code',
      situation: 'wrong-amount',
      paidOn: '2026-11-20',
      amount: 888,
    },
  },
  {
    lang: 'zh-CN',
    text: '孩子拿我手机给主播刷礼物花了3000块',
    facts: {
      paymentKind: 'live-gift',
      situation: 'minor',
      payerMinor: true,
      childAccount: 'parent',
      amount: 3000,
    },
  },
  {
    lang: 'zh-CN',
    text: '昨天扫了对方的个人收款码，付错人了，200块',
    facts: {
      paymentKind: 'receipt-code',
      situation: 'wrong-recipient',
      paidOn: '2026-11-28',
      amount: 200,
    },
  },
  {
    lang: 'zh-CN',
    text: '我老公瞒着我给别人转了两万',
    facts: { situation: 'spouse', amount: 20000 },
  },
  {
    lang: 'zh-CN',
    text: '借给朋友3000块，他一直不还',
    facts: { situation: 'loan', amount: 3000 },
  },
  {
    lang: 'zh-CN',
    text: '我爸昨天扫赞赏码打赏了500',
    facts: { situation: 'elderly', paymentKind: 'reward-code', paidOn: '2026-11-28', amount: 500 },
  },
  {
    lang: 'en',
    text: 'I lent a friend 800 yuan last week and he never paid me back',
    facts: { situation: 'loan', amount: 800 },
  },
  {
    lang: 'zh-CN',
    text: '前天发红包发错了群，200元',
    facts: { paymentKind: 'red-packet', paidOn: '2026-11-27', amount: 200 },
  },
  {
    lang: 'zh-CN',
    text: '11月20日给一个作者赞赏了50，现在后悔了',
    facts: { paymentKind: 'reward-code', situation: 'regret', paidOn: '2026-11-20', amount: 50 },
  },
  {
    lang: 'zh-CN',
    text: '同一个赞赏付了两次，每次100块，是3天前',
    facts: {
      paymentKind: 'reward-code',
      situation: 'duplicate',
      paidOn: '2026-11-26',
      amount: 100,
    },
  },
  {
    lang: 'zh-CN',
    text: '说好给资源结果没给，我赞赏了66元',
    facts: { paymentKind: 'reward-code', situation: 'not-delivered', amount: 66 },
  },
  {
    lang: 'zh-CN',
    text: '不是被骗，是转错人了，昨天转了1000',
    facts: { situation: 'wrong-recipient', paidOn: '2026-11-28', amount: 1000 },
  },
  {
    lang: 'zh-CN',
    text: '我儿子用自己的微信扫赞赏码付了300',
    facts: {
      paymentKind: 'reward-code',
      situation: 'minor',
      payerMinor: true,
      childAccount: 'own',
      amount: 300,
    },
  },
  {
    lang: 'zh-CN',
    text: '双十一那天扫码付了两千三，收款方是个人收款码，付多了',
    facts: {
      paymentKind: 'receipt-code',
      situation: 'wrong-amount',
      paidOn: '2026-11-11',
      amount: 2300,
    },
  },
  {
    lang: 'zh-CN',
    text: '我在视频号直播间打赏了主播1万块，后悔了',
    // onPlatform added by issue 21: the story states it (a live room is a platform).
    facts: { paymentKind: 'live-gift', situation: 'regret', amount: 10000, onPlatform: true },
  },
  {
    lang: 'zh-CN',
    text: '今天扫赞赏码付错人了，付了88块8',
    facts: {
      paymentKind: 'reward-code',
      situation: 'wrong-recipient',
      paidOn: '2026-11-29',
      amount: 88.8,
    },
  },
  {
    lang: 'zh-CN',
    text: '大概两三百吧，扫的赞赏码，金额输错了',
    facts: { paymentKind: 'reward-code', situation: 'wrong-amount' },
  },
  {
    lang: 'zh-CN',
    text: '上上周五给人转账，对方已经收款了，转错了人',
    facts: { paymentKind: 'transfer-accepted', situation: 'wrong-recipient', paidOn: '2026-11-13' },
  },
  {
    lang: 'en',
    text: 'Yesterday I scanned a reward code and typed 500 instead of 5',
    facts: {
      paymentKind: 'reward-code',
      situation: 'wrong-amount',
      paidOn: '2026-11-28',
      amount: 500,
      intendedAmount: 5,
    },
  },
  {
    lang: 'en',
    text: 'I paid the wrong person 200 yuan through their reward code 3 days ago',
    facts: {
      paymentKind: 'reward-code',
      situation: 'wrong-recipient',
      paidOn: '2026-11-26',
      amount: 200,
    },
  },
  {
    lang: 'en',
    // "tipped" and "live stream" name two ways of paying: the kind is asked, not guessed.
    // A child's gift in a live stream is a platform payment (labelled 2026-12-04).
    text: 'my son tipped a streamer in a live stream',
    facts: { situation: 'minor', payerMinor: true, onPlatform: true },
  },
  {
    lang: 'en',
    text: 'I paid twice by mistake, 100 yuan each, last Friday, through a reward code',
    facts: {
      paymentKind: 'reward-code',
      situation: 'duplicate',
      paidOn: '2026-11-27',
      amount: 100,
    },
  },
  {
    lang: 'en',
    text: 'They promised a course and never sent it, I tipped 300 yuan',
    facts: { paymentKind: 'reward-code', situation: 'not-delivered', amount: 300 },
  },
  // Dev stories of issue 21 (yes/no facts, counts and totals, zeros, payment dates, ages,
  // negations): stated facts the stories give, and nothing they do not.
  {
    lang: 'zh-CN',
    text: '前天给一个公众号作者连着赞赏了四次 每次五十 后来他把我拉黑了',
    facts: {
      paymentKind: 'reward-code',
      paidOn: '2026-11-27',
      severalPayments: true,
      amount: 200,
      canReach: false,
    },
  },
  {
    lang: 'zh-CN',
    text: '扫收款码的时候多输了两个0，付了3000，对方已经删了我',
    facts: {
      paymentKind: 'receipt-code',
      situation: 'wrong-amount',
      amount: 3000,
      intendedAmount: 30,
      canReach: false,
    },
  },
  {
    lang: 'en',
    text: 'I wanted to tip 10 but sent 1000 through the reward code yesterday',
    facts: {
      paymentKind: 'reward-code',
      situation: 'wrong-amount',
      paidOn: '2026-11-28',
      amount: 1000,
      intendedAmount: 10,
    },
  },
  {
    lang: 'en',
    text: 'I added an extra zero and paid 600 yuan, I still have his wechat',
    facts: { situation: 'wrong-amount', amount: 600, intendedAmount: 60, canReach: true },
  },
  {
    lang: 'zh-CN',
    text: '11月20号转错人了800块，今天看账单才发现',
    facts: { situation: 'wrong-recipient', paidOn: '2026-11-20', amount: 800 },
  },
  {
    lang: 'zh-CN',
    // The screens are never answered from a story, not even "yes": asked (the signal warns).
    text: '昨天有人打电话说是客服，让我先交保证金才能退款',
    facts: {},
  },
  {
    lang: 'zh-CN',
    text: '没人催我 就是上周五扫赞赏码付错人了',
    facts: { paymentKind: 'reward-code', situation: 'wrong-recipient', paidOn: '2026-11-20' },
  },
  {
    lang: 'zh-CN',
    text: '我女儿今年13岁，用她自己的微信给主播打赏了1500',
    facts: {
      situation: 'minor',
      payerMinor: true,
      childAccount: 'own',
      childAge: 'from-8-to-17',
      amount: 1500,
    },
  },
  {
    lang: 'zh-CN',
    text: '给儿子转生活费 结果转到了别人那里 500块',
    facts: { situation: 'wrong-recipient', amount: 500 },
  },
  {
    lang: 'zh-CN',
    text: '有人假冒我同事微信找我借了3000',
    facts: { situation: 'scam', amount: 3000 },
  },
  {
    lang: 'zh-CN',
    text: '我妈有老年痴呆，看直播给主播打赏了两万',
    facts: { situation: 'elderly', elderImpaired: true, amount: 20000 },
  },
  {
    lang: 'en',
    text: 'my dad has dementia and sent a streamer 5000 yuan',
    facts: { situation: 'elderly', elderImpaired: true, amount: 5000 },
  },
  {
    lang: 'en',
    text: 'I paid a stranger 300 by mistake last Friday and they blocked me',
    facts: { situation: 'wrong-recipient', paidOn: '2026-11-27', amount: 300, canReach: false },
  },
  {
    lang: 'en',
    text: 'someone pretending to be my cousin asked to borrow money and I sent 2000',
    facts: { situation: 'scam', amount: 2000 },
  },
  {
    lang: 'zh-CN',
    text: '被骗了，对方让我做任务刷单，前后转了五笔',
    facts: { situation: 'scam', severalPayments: true },
  },
  {
    lang: 'zh-CN',
    text: '就付了一笔，昨天扫错了码，付了120',
    facts: { severalPayments: false, paidOn: '2026-11-28', amount: 120 },
  },
  {
    lang: 'en',
    text: 'I tipped an author three times, 100 each time, and regret it',
    facts: {
      situation: 'regret',
      severalPayments: true,
      amount: 300,
    },
  },
  {
    lang: 'zh-CN',
    text: '骗倒是没骗 就是一时冲动打赏了主播500 后悔了',
    facts: { situation: 'regret', amount: 500 },
  },
  {
    lang: 'zh-CN',
    text: '唔係有人催我 係我自己转错咗200',
    facts: { amount: 200 },
  },
  {
    lang: 'en',
    text: 'Sent 800 to the wrong person on Nov 18, only noticed yesterday, he never replies',
    facts: { situation: 'wrong-recipient', paidOn: '2026-11-18', amount: 800, canReach: false },
  },
  {
    lang: 'en',
    text: 'I paid the wrong person 200 on thursday',
    facts: { situation: 'wrong-recipient', paidOn: '2026-11-26', amount: 200 },
  },
  {
    lang: 'zh-CN',
    text: '11月3号和11月10号各转了一笔 一共两次 每次500',
    facts: { severalPayments: true, paidOn: '2026-11-03', amount: 1000 },
  },
  {
    lang: 'en',
    text: 'sent 300 yuan to the wrong guy this morning, he deleted me',
    facts: { paidOn: '2026-11-29', amount: 300, canReach: false },
  },
  {
    lang: 'zh-CN',
    text: '我女儿（7）用我的手机买了皮肤 300块',
    facts: {
      situation: 'minor',
      payerMinor: true,
      childAccount: 'parent',
      childAge: 'under-8',
      amount: 300,
    },
  },
  {
    lang: 'en',
    // The same payment twice: the amount is the one payment, not the sum (a duplicate, which
    // the story states: the same amount again, by mistake).
    text: 'I tipped the same author twice by mistake, 40 each, on nov 2',
    facts: { situation: 'duplicate', paidOn: '2026-11-02', amount: 40 },
  },
  {
    lang: 'en',
    text: 'I regret a tip I gave on Nov 20, 50 yuan, via reward code',
    facts: { paymentKind: 'reward-code', situation: 'regret', paidOn: '2026-11-20', amount: 50 },
  },
  // Payments listed one by one are summed; the same amount listed twice, or "twice, N each"
  // with no situation, is left (a duplicate or two payments?); a slip repeated is a
  // duplicate; the last payment's date is not the first's; a child named by age (2026-12-04).
  {
    lang: 'zh-CN',
    text: '上周给健身教练转了两笔 一笔1200一笔800 他说课不上了也不退',
    facts: { severalPayments: true, amount: 2000 },
  },
  {
    lang: 'en',
    text: 'i sent 300 then 700 then 1000 to a guy selling crypto',
    facts: { severalPayments: true, amount: 2000 },
  },
  { lang: 'en', text: 'sent 100 then 100 again to the same guy', facts: {} },
  { lang: 'en', text: 'paid my barber twice, 60 each, no idea why', facts: {} },
  {
    lang: 'zh-CN',
    text: '不小心给房东转了两次 每次1500',
    facts: { situation: 'duplicate', amount: 1500 },
  },
  {
    lang: 'zh-CN',
    text: '前后转了五次 总共6000 最后一笔是昨天',
    facts: { severalPayments: true, amount: 6000 },
  },
  {
    lang: 'en',
    text: 'paid 400 to a seller on monday, then he blocked me yesterday',
    facts: { paidOn: '2026-11-23', amount: 400, canReach: false },
  },
  {
    lang: 'en',
    text: 'my 11 year old spent 600 on game coins with my phone',
    facts: {
      situation: 'minor',
      payerMinor: true,
      childAge: 'from-8-to-17',
      childAccount: 'parent',
      onPlatform: true,
      amount: 600,
    },
  },
  {
    lang: 'zh-CN',
    text: '我今年13岁 用我爸的手机给主播刷了300',
    facts: {
      situation: 'minor',
      payerMinor: true,
      childAge: 'from-8-to-17',
      childAccount: 'parent',
      onPlatform: true,
      amount: 300,
    },
  },
  // More money wanted after the payment is not paid; an elder's age in brackets and a date
  // with a slash are no amount (2026-12-04, second round).
  {
    lang: 'en',
    text: 'paid 600 to a fake officer last night. they want 3000 more now',
    facts: { paidOn: '2026-11-28', amount: 600 },
  },
  {
    lang: 'en',
    text: 'my grandma (79) paid 1500 for a magic bracelet',
    facts: { situation: 'elderly', amount: 1500 },
  },
  { lang: 'zh-CN', text: '先交了800保证金 现在又让我再交2000', facts: { amount: 800 } },
  {
    lang: 'en',
    text: 'the seller said pay 400 for shipping and i paid it on 11/20',
    facts: { paidOn: '2026-11-20', amount: 400 },
  },
  // "2.5k" and "8.8" are money, never a date (they had read as 2 May and 8 August); "an hour
  // ago", "this morning" are today (2026-12-04, second round).
  {
    lang: 'en',
    text: 'sent 2.5k to the wrong person an hour ago',
    facts: { situation: 'wrong-recipient', paidOn: '2026-11-29', amount: 2500 },
  },
  {
    lang: 'zh-CN',
    text: '扫错码了 付了3.5k 11/20的事',
    facts: { situation: 'wrong-recipient', paidOn: '2026-11-20', amount: 3500 },
  },
  {
    lang: 'en',
    text: 'tipped 8.8 this morning but i meant 0.88',
    facts: { situation: 'wrong-amount', paidOn: '2026-11-29', amount: 8.8, intendedAmount: 0.88 },
  },
  // A child named by the age who paid is a child's payment; a child's teacher or a gift to a
  // child is not (2026-12-04, second round).
  {
    lang: 'en',
    text: 'my 9 yr old spent 450 on skins in a phone game with my wechat',
    facts: {
      situation: 'minor',
      payerMinor: true,
      childAge: 'from-8-to-17',
      childAccount: 'parent',
      onPlatform: true,
      amount: 450,
    },
  },
  {
    lang: 'en',
    text: "my 13 year old's teacher sent a code and i paid 300 for the class fund",
    facts: { amount: 300 },
  },
  {
    lang: 'zh-CN',
    text: '我女儿12岁 偷偷在直播间给主播刷了680',
    facts: {
      situation: 'minor',
      payerMinor: true,
      childAge: 'from-8-to-17',
      onPlatform: true,
      amount: 680,
    },
  },
  {
    lang: 'zh-CN',
    text: '给我儿子10岁的生日转了500红包',
    facts: { paymentKind: 'red-packet', amount: 500 },
  },
  {
    lang: 'en',
    text: 'im 16 and i tipped a streamer 200 with my own wechat',
    facts: {
      situation: 'minor',
      payerMinor: true,
      childAge: 'from-8-to-17',
      childAccount: 'own',
      onPlatform: true,
      amount: 200,
    },
  },
  // The amount meant, said before its recipient ("meant to tip the author 2.5") or before 打成
  // (2026-12-04, second round).
  {
    lang: 'en',
    text: 'meant to tip the author 2.5 and typed 250 by accident, on his reward code',
    facts: {
      paymentKind: 'reward-code',
      situation: 'wrong-amount',
      amount: 250,
      intendedAmount: 2.5,
    },
  },
  {
    lang: 'zh-CN',
    text: '给up主赞赏 手滑了 30打成300',
    facts: { situation: 'wrong-amount', amount: 300, intendedAmount: 30 },
  },
  // Several payments not counted (好几次, 陆陆续续) are several; asking many times is not.
  {
    lang: 'zh-CN',
    text: '给主播刷了好几次礼物 加起来800',
    facts: { paymentKind: 'live-gift', severalPayments: true, amount: 800 },
  },
  {
    lang: 'zh-CN',
    text: '借了他3000 催了他好几次 还是不还',
    facts: { situation: 'loan', amount: 3000 },
  },
  // Money that is not the amount paid (2026-12-04): money sent to the user, an approximation,
  // an elder's age; each one's amount said with 都是; a total said with 一共.
  // The payment date, not the day found out or the day someone called (2026-12-04).
  {
    lang: 'zh-CN',
    text: '就刚刚 给快递小哥扫码付了45 扫错码了',
    facts: { situation: 'wrong-recipient', paidOn: '2026-11-29', amount: 45 },
  },
  {
    lang: 'zh-CN',
    text: '11月2号给一个up主赞赏了88 前天对账才发现',
    facts: { paidOn: '2026-11-02', amount: 88 },
  },
  {
    lang: 'zh-CN',
    text: '11月6号打赏了一个主播200 昨天有人自称客服说能退',
    facts: { paidOn: '2026-11-06', amount: 200 },
  },
  {
    lang: 'en',
    text: 'a stranger said he transferred me 800 by mistake and wants it back by red packet',
    facts: {},
  },
  {
    lang: 'zh-CN',
    text: '给一个唱歌的主播打赏了五百出头 现在后悔了',
    facts: { situation: 'regret' },
  },
  {
    lang: 'en',
    // A total said vaguely is no amount.
    text: 'sent him money 5 times, total about 3000',
    facts: { severalPayments: true },
  },
  {
    lang: 'zh-CN',
    text: '他让我转了三次 每次都是五百',
    facts: { severalPayments: true, amount: 1500 },
  },
  {
    lang: 'zh-CN',
    text: '我妈八十了 上周三扫码给卖药的付了1200',
    facts: { situation: 'elderly', paidOn: '2026-11-18', amount: 1200 },
  },
  {
    lang: 'en',
    // Spent on a game: an in-game purchase, a platform payment (labelled 2026-12-04).
    text: 'my daughter is 7 and spent 45 on a game with my phone',
    facts: {
      situation: 'minor',
      payerMinor: true,
      onPlatform: true,
      childAccount: 'parent',
      childAge: 'under-8',
      amount: 45,
    },
  },
  {
    lang: 'zh-CN',
    text: '我儿子15 在游戏里被人骗了 前后转了四笔 一共2400',
    facts: {
      situation: 'minor',
      payerMinor: true,
      severalPayments: true,
      amount: 2400,
      childAge: 'from-8-to-17',
    },
  },
];

/**
 * Corrections in the forms people use, at a step after the facts were given (issue 21):
 * what each changes, given what is known; `{}` where nothing may change. Written for this
 * list, not copied from the flow's `corrections:` examples.
 */
export const KNOWN = {
  situation: 'wrong-recipient',
  paymentKind: 'receipt-code',
  paidOn: '2026-11-20',
  amount: 500,
  recipient: '小王',
  severalPayments: false,
  canReach: true,
  intendedAmount: 5,
} as const;
export const CORRECTIONS: Array<{
  text: string;
  changes: Record<string, string | number | boolean>;
}> = [
  { text: '不是500，是5000', changes: { amount: 5000 } },
  { text: 'oh wait, it was 200 not 500', changes: { amount: 200 } },
  { text: '是200不是500', changes: { amount: 200 } },
  { text: '金额错了 应该是900', changes: { amount: 900 } },
  { text: '我说错了 钱数是四百五', changes: { amount: 450 } },
  { text: 'sorry, the amount was actually 350', changes: { amount: 350 } },
  { text: '日期不对，是上个月15号付的', changes: { paidOn: '2026-10-15' } },
  { text: '不是上周五 是上周四', changes: { paidOn: '2026-11-19' } },
  { text: 'actually the date was Nov 18', changes: { paidOn: '2026-11-18' } },
  { text: '记错了 是前天付的', changes: { paidOn: '2026-11-27' } },
  { text: '名字抄错了，应该是小李', changes: { recipient: '小李' } },
  { text: 'the name is wrong, it is Wang Fang', changes: { recipient: 'Wang Fang' } },
  // Quotes mark the name; they are not part of it (2026-12-04, the third set's five).
  { text: '收款人写错了 应该是「老周面馆」', changes: { recipient: '老周面馆' } },
  { text: 'sorry the payee is actually "Luna Studio"', changes: { recipient: 'Luna Studio' } },
  { text: '其实名字那一栏是空白的', changes: { recipient: '' } },
  { text: 'there was no name on the bill actually', changes: { recipient: '' } },
  { text: '不是付错人，是金额输错了', changes: { situation: 'wrong-amount' } },
  { text: '其实是分了三次付的', changes: { severalPayments: true } },
  { text: '说错了 我本来想付的是10块', changes: { intendedAmount: 10 } },
  { text: 'sorry, I meant to pay 8, not 5', changes: { intendedAmount: 8 } },
  { text: '不对 他已经把我拉黑了', changes: { canReach: false } },
  // A changed choice by its own words (2026-12-04); a denial alone changes nothing.
  { text: '搞错了 是红包不是转账', changes: { paymentKind: 'red-packet' } },
  { text: 'actually my mom paid it', changes: { situation: 'elderly' } },
  // An age is no amount (2026-12-04); with a number in it, no option is changed either.
  { text: 'sorry, actually my mom paid it, she is 78', changes: {} },
  { text: '说错了 是我爸付的 他都78了', changes: {} },
  { text: '他不是骗子吧', changes: {} },
  // Other money than the payment's is no amount corrected (a legal-weight misread before).
  { text: 'actually he wants another 300', changes: {} },
  // Someone else's words, however they are named, are not the user's correction.
  { text: 'the so-called support lady says the date i gave is wrong', changes: {} },
  { text: 'actually i only have 20 left', changes: {} },
  { text: '其实他只退了我100', changes: {} },
  { text: 'not sure actually', changes: {} },
  { text: '好的', changes: {} },
  { text: '对方还没回我', changes: {} },
  { text: '我还能联系到他', changes: {} },
  { text: 'thanks', changes: {} },
];

"""丢分预警（Issue 31）：若明天暗访，在办问题在实地考察部分预计丢多少分、丢在哪里、先改哪几处。

model：概率、全县与分摊、攻坚清单、分组表；words：给页面、通报与导出用的文字、卡片、名次。两处的名字都从这里取。
"""

from chuangwen.loss_risk.model import *  # noqa: F403
from chuangwen.loss_risk.model import __all__ as _model_names
from chuangwen.loss_risk.words import *  # noqa: F403
from chuangwen.loss_risk.words import __all__ as _words_names

__all__ = [*_model_names, *_words_names]

"""Choice labels in Chinese: what a user types in a spreadsheet, and never ambiguous."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation
from django.utils.functional import Promise

from kehu.customers.choices import ContactType, CustomerKind, CustomerStatus, Gender, SourceChannel
from kehu.interactions.models import Channel, Outcome
from kehu.quality.importing import cells
from kehu.sales.choices import OrderChannel, OrderStatus, PaymentMethod


def _kehu_choice_classes() -> list[type[models.Choices]]:
    """Every choice enumeration defined in kehu's installed apps."""
    for app in apps.get_app_configs():
        if not app.name.startswith("kehu."):
            continue
        importlib.import_module(app.name)
        package = sys.modules[app.name]
        for module in pkgutil.walk_packages(package.__path__, app.name + "."):
            if ".migrations" in module.name or ".management" in module.name:
                continue
            importlib.import_module(module.name)

    found: list[type[models.Choices]] = []

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("kehu."):
                found.append(sub)
            walk(sub)

    walk(models.TextChoices)
    walk(models.IntegerChoices)
    return found


@pytest.mark.parametrize(
    ("enum", "label", "code"),
    [
        (OrderChannel, "门店", "store"),
        (OrderChannel, "电话", "phone"),
        (PaymentMethod, "微信支付", "wechat_pay"),
        (PaymentMethod, "支付宝", "alipay"),
        (PaymentMethod, "银行转账", "transfer"),
        (OrderStatus, "已付款", "paid"),
        (OrderStatus, "未付款", "unpaid"),
        (Gender, "男", "male"),
        (Gender, "女", "female"),
        (Channel, "电话", "phone"),
        (Channel, "微信", "wechat"),
        (Outcome, "有意向", "interested"),
        (ContactType, "手机", "mobile"),
        (ContactType, "邮箱", "email"),
        (CustomerKind, "个人", "person"),
        (CustomerStatus, "流失", "lost"),
        (SourceChannel, "转介绍", "referral"),
    ],
)
def test_importers_accept_the_chinese_label(settings, enum, label, code):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        assert cells.choice(label, enum) == code
    with translation.override("zh-hans"):
        assert str(dict(enum.choices)[code]) == label


def test_chinese_labels_are_unique_within_each_choice_list():
    classes = _kehu_choice_classes()
    assert len(classes) > 20, "choice classes were not found"
    clashes = {}
    with translation.override("zh-hans"):
        for cls in classes:
            labels = [str(label) for _value, label in cls.choices]
            duplicates = sorted({label for label in labels if labels.count(label) > 1})
            if duplicates:
                clashes[f"{cls.__module__}.{cls.__qualname__}"] = duplicates
    assert clashes == {}


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_every_choice_label_is_translated():
    untranslated = []
    with translation.override("zh-hans"):
        for cls in _kehu_choice_classes():
            for value, label in cls.choices:
                if not isinstance(label, Promise):
                    continue  # plain labels are the same in every language: QQ, AAA, blood types A/B/O
                with translation.override("en"):
                    english = str(label)
                if _has_chinese(english):
                    continue  # a Chinese source string: nothing to translate into Chinese
                if str(label) == english:
                    untranslated.append(f"{cls.__module__}.{cls.__qualname__}.{value}: {english}")
    assert untranslated == []

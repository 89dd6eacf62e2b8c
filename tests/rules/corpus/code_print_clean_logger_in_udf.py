# expect: none
import logging

from pyspark.sql.functions import udf

log = logging.getLogger(__name__)


@udf("string")
def mask(card):
    if card is None:
        log.debug("mask: null card number")
        return None
    return "*" * 12 + card[-4:]

# expect: SS542
from pyspark.sql.functions import udf


@udf("string")
def mask(card):
    print("masking", card)
    return "*" * 12 + card[-4:]

# expect: none
import hashlib

from pyspark.sql.functions import udf


@udf("string")
def pseudonym(value):
    if value is None:
        return None
    return hashlib.blake2b(value.encode(), digest_size=16).hexdigest()

# expect: none
from pyspark.sql import functions as F


@F.udf("int")
def age_from_dob(dob):
    parts = dob.split("-")
    if len(parts) != 3:
        raise ValueError("date of birth: expected YYYY-MM-DD")
    return 2026 - int(parts[0])

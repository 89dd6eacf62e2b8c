# expect: SS540
from pyspark.sql import functions as F


@F.udf("int")
def age_from_dob(dob):
    parts = dob.split("-")
    if len(parts) != 3:
        raise ValueError(f"cannot parse date of birth {dob}")
    return 2026 - int(parts[0])

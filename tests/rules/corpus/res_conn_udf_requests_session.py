# expect: SS561
import requests
from pyspark.sql.functions import udf


@udf("string")
def geocode(address):
    session = requests.Session()
    return session.get("https://geo.example/api", params={"q": address}).text

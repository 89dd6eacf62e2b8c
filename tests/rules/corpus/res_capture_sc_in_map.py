# expect: SS560
from pyspark import SparkContext

sc = SparkContext.getOrCreate()
paths = sc.parallelize(["a.txt", "b.txt"])
sizes = paths.map(lambda p: sc.textFile(p).count())

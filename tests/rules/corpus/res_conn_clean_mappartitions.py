# expect: none
import socket

from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def send(lines):
    sock = socket.create_connection(("collector", 5140))
    try:
        for line in lines:
            sock.sendall(line.encode())
            yield len(line)
    finally:
        sock.close()


spark.sparkContext.textFile("logs/").mapPartitions(send).sum()

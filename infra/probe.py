"""Readiness probes used by infra/services.sh (runs in .state/venv).

  probe.py s3 ENDPOINT ACCESS_KEY SECRET_KEY REGION [BUCKET...]
      lists buckets (a signed request) and creates the missing ones.
  probe.py kafka BROKERS
      produces one message to streamly.infra.healthcheck and reads it back.
Exit status 0 when the service answered correctly.
"""
import sys
import time
import uuid


def s3(endpoint, access_key, secret_key, region, *buckets):
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=access_key,
        aws_secret_access_key=secret_key, region_name=region,
        config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1},
                      s3={"addressing_style": "path"}))
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    for bucket in buckets:
        if bucket not in existing:
            client.create_bucket(Bucket=bucket)
            print(f"created bucket {bucket}")


def kafka(brokers, topic="streamly.infra.healthcheck"):
    from confluent_kafka import Consumer, Producer, TopicPartition

    value = uuid.uuid4().hex.encode()
    delivered = []
    quiet = {"bootstrap.servers": brokers, "log_level": 2, "error_cb": lambda err: None}
    producer = Producer({**quiet, "message.timeout.ms": 5000})
    producer.produce(topic, value, on_delivery=lambda err, msg: delivered.append((err, msg)))
    producer.flush(6)
    if not delivered or delivered[0][0] is not None:
        sys.exit(f"produce failed: {delivered[0][0] if delivered else 'no delivery report'}")
    msg = delivered[0][1]
    consumer = Consumer({**quiet, "group.id": "streamly-infra-probe",
                         "enable.auto.commit": False})
    try:
        consumer.assign([TopicPartition(topic, msg.partition(), msg.offset())])
        deadline = time.time() + 10
        while time.time() < deadline:
            got = consumer.poll(0.5)
            if got is not None and not got.error() and got.value() == value:
                return
        sys.exit("produced message was not read back")
    finally:
        consumer.close()


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("s3", "kafka"):
        sys.exit(__doc__)
    {"s3": s3, "kafka": kafka}[sys.argv[1]](*sys.argv[2:])

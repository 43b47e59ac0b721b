// The local Kafka broker's helper, run from source (`java -cp 'target/lib/*' LocalKafka.java`) with
// the broker's own kafka-clients: creates the plan's topics, prints "ready", then produces the records
// it reads on stdin. Input lines: "<partition> <base64 key> <base64 value>", or "flush", which it
// answers with "flushed <records sent so far>" once the broker acknowledged every one of them.
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class LocalKafka {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: LocalKafka <client.properties> [topic:partitions ...]");
      System.exit(2);
    }
    Properties client = new Properties();
    try (FileInputStream in = new FileInputStream(args[0])) {
      client.load(in);
    }
    List<NewTopic> topics = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      int colon = args[i].lastIndexOf(':');
      topics.add(new NewTopic(args[i].substring(0, colon), Integer.parseInt(args[i].substring(colon + 1)), (short) 1));
    }
    try (Admin admin = Admin.create(client)) {
      admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
    }
    Properties producerConfig = new Properties();
    producerConfig.putAll(client);
    producerConfig.put("acks", "all");
    producerConfig.put("linger.ms", "5");
    producerConfig.put("enable.idempotence", "true");
    String topic = topics.isEmpty() ? null : topics.get(0).name();
    AtomicReference<Exception> failure = new AtomicReference<>();
    long sent = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
      System.out.println("ready");
      System.out.flush();
      BufferedReader reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      Base64.Decoder base64 = Base64.getDecoder();
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.equals("flush")) {
          producer.flush();
          if (failure.get() != null) throw failure.get();
          System.out.println("flushed " + sent);
          System.out.flush();
          continue;
        }
        String[] parts = line.split(" ", -1);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
            topic, Integer.parseInt(parts[0]), base64.decode(parts[1]), base64.decode(parts[2]));
        producer.send(record, (metadata, error) -> {
          if (error != null) failure.compareAndSet(null, error);
        });
        sent++;
      }
    }
  }
}

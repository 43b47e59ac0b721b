package flinkpipeline;

import java.util.Objects;

/** A key's running total as of a flush: one DynamoDB item. A Flink POJO (public fields, no-arg constructor). */
public class FeatureCount {
    public String key;
    public long count;
    /** Processing time of the flush, epoch milliseconds. */
    public long updatedAtMillis;

    public FeatureCount() {}

    public FeatureCount(String key, long count, long updatedAtMillis) {
        this.key = key;
        this.count = count;
        this.updatedAtMillis = updatedAtMillis;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof FeatureCount)) return false;
        FeatureCount that = (FeatureCount) other;
        return count == that.count && updatedAtMillis == that.updatedAtMillis && Objects.equals(key, that.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, count, updatedAtMillis);
    }

    @Override
    public String toString() {
        return "FeatureCount{key=" + key + ", count=" + count + ", updatedAtMillis=" + updatedAtMillis + "}";
    }
}

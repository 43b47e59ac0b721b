package flinkpipeline;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per key, the number of events ever seen, kept in checkpointed keyed state: a restart or a
 * redeploy from a snapshot continues the total, it never starts again at zero. The first event
 * after a flush starts a processing-time timer; when it fires the current total goes out once, so
 * a hot key costs one write per flush interval, not one per event.
 *
 * <p>State layout (a new build must restore it; {@code StateLayoutTest} guards it): value state
 * {@value #TOTAL_STATE} ({@code Long}, Flink's LongSerializer, with state TTL) and value state
 * {@value #FLUSH_STATE} ({@code Long}: the pending timer's time, absent when none). Changing a name,
 * a type or switching the TTL on or off makes old snapshots unrestorable; changing the TTL's
 * length does not.
 */
public final class RunningCount extends KeyedProcessFunction<String, String, FeatureCount> {
    private static final long serialVersionUID = 1L;

    public static final String TOTAL_STATE = "total";
    public static final String FLUSH_STATE = "flush-at";

    private final Duration flushInterval;
    private final Duration stateTtl;
    private transient ValueState<Long> total;
    private transient ValueState<Long> flushAt;

    /**
     * @param flushInterval at most one output per key per interval
     * @param stateTtl a key untouched this long is forgotten, as its DynamoDB item expires too
     */
    public RunningCount(Duration flushInterval, Duration stateTtl) {
        this.flushInterval = flushInterval;
        this.stateTtl = stateTtl;
    }

    /** The descriptor of the running total; the TTL's length may change between builds, its presence may not. */
    public static ValueStateDescriptor<Long> totalDescriptor(Duration stateTtl) {
        ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>(TOTAL_STATE, Types.LONG);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        return descriptor;
    }

    public static ValueStateDescriptor<Long> flushDescriptor() {
        return new ValueStateDescriptor<>(FLUSH_STATE, Types.LONG);
    }

    @Override
    public void open(OpenContext context) {
        total = getRuntimeContext().getState(totalDescriptor(stateTtl));
        flushAt = getRuntimeContext().getState(flushDescriptor());
    }

    @Override
    public void processElement(String key, Context context, Collector<FeatureCount> out) throws Exception {
        Long current = total.value();
        total.update(current == null ? 1L : current + 1L);
        if (flushAt.value() == null) {
            long time = context.timerService().currentProcessingTime() + flushInterval.toMillis();
            context.timerService().registerProcessingTimeTimer(time);
            flushAt.update(time);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<FeatureCount> out) throws Exception {
        flushAt.clear();
        Long current = total.value();
        if (current != null) out.collect(new FeatureCount(context.getCurrentKey(), current, timestamp));
    }
}

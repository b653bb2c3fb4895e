package io.caravan.receiver;

import io.caravan.bandwidth.BandwidthSchedule;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import java.time.LocalTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Service;

/**
 * {@code caravan.receiver.bwlimit}: one Netty traffic shaper shared by every connection of the receiver,
 * so all uploads together are read, and all downloads together written, at no more than the rate of the
 * {@link BandwidthSchedule} at that time of day (checked every {@link #CHECK_SECONDS} seconds).
 */
public final class ReceiverBandwidth implements Service {

    /** How often the timetable is looked at for a new rate. */
    static final int CHECK_SECONDS = 15;

    private final BandwidthSchedule schedule;
    private final ScheduledExecutorService timer;
    private final GlobalTrafficShapingHandler shaper;

    public ReceiverBandwidth(BandwidthSchedule schedule) {
        this.schedule = schedule;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "CaravanBandwidth");
            thread.setDaemon(true);
            return thread;
        });
        long rate = netty(schedule.rateAt(LocalTime.now()));
        // checked every 100 ms: the shaper's waits stay short, so the rate holds over a second
        this.shaper = new GlobalTrafficShapingHandler(timer, rate, rate, 100);
    }

    /** The handler each connection's pipeline puts first. */
    GlobalTrafficShapingHandler shaper() {
        return shaper;
    }

    @Override
    public void start() {
        timer.scheduleAtFixedRate(() -> {
            long rate = netty(schedule.rateAt(LocalTime.now()));
            if (rate != shaper.getWriteLimit()) {
                shaper.configure(rate, rate);
            }
        }, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void stop() {
        shaper.release();
        timer.shutdownNow();
    }

    /** Netty's form of a rate: 0 for none. */
    private static long netty(long rate) {
        return rate == BandwidthSchedule.UNLIMITED ? 0 : rate;
    }
}

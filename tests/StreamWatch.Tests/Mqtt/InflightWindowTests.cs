using StreamWatch.Mqtt.Outbox;

namespace StreamWatch.Tests.Mqtt;

public class InflightWindowTests
{
    [Fact]
    public void Room_is_bounded_and_only_while_connected()
    {
        var w = new InflightWindow(3);
        Assert.Equal(0, w.Room(connected: false));
        Assert.Equal(3, w.Room(connected: true));
        w.Sent(1, 10);
        w.Sent(2, 11);
        Assert.Equal(1, w.Room(true));
        Assert.Equal(11, w.Cursor);
        Assert.Equal(10, w.Acked(1));
        Assert.Null(w.Acked(1));
        Assert.Null(w.Acked(77));
        Assert.Equal(2, w.Room(true));
    }

    [Fact]
    public void After_a_disconnect_nothing_new_is_sent_until_every_old_message_is_acknowledged()
    {
        var w = new InflightWindow(10);
        w.Sent(1, 10);
        w.Sent(2, 11);
        w.Disconnected();
        Assert.True(w.Barrier);
        Assert.Equal(0, w.Room(true));
        w.Acked(1);
        Assert.Equal(0, w.Room(true));
        w.Acked(2);
        Assert.False(w.Barrier);
        Assert.Equal(10, w.Room(true));
        Assert.Equal(11, w.Cursor);
    }

    [Fact]
    public void A_disconnect_with_nothing_in_flight_sets_no_barrier_and_skips_move_the_cursor()
    {
        var w = new InflightWindow(2);
        w.Disconnected();
        Assert.Equal(2, w.Room(true));
        w.Skipped(5);
        Assert.Equal(5, w.Cursor);
    }
}

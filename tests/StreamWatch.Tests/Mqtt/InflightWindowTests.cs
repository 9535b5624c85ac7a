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
    public void After_a_disconnect_the_outbox_is_resent_from_its_oldest_row_and_old_acks_are_ignored()
    {
        var w = new InflightWindow(10);
        w.Sent(1, 10);
        w.Sent(2, 11);
        w.Disconnected();
        Assert.Equal(0, w.Cursor); // the next read starts at the oldest row left (all unacknowledged)
        Assert.Equal(0, w.Count);
        Assert.Equal(10, w.Room(true));
        w.Sent(3, 10);
        Assert.Null(w.Acked(1)); // a late PUBACK of the old connection does not delete the resent row twice
        Assert.Equal(10, w.Acked(3));
    }

    [Fact]
    public void Skips_move_the_cursor()
    {
        var w = new InflightWindow(2);
        w.Skipped(5);
        Assert.Equal(5, w.Cursor);
        Assert.Equal(2, w.Room(true));
    }
}

namespace StreamWatch.Core.Gate;

public enum GateTransition { None, Opened, Closed }

"""Kernels: a kernel session, IOPub to outputs, the execution queue and widget comms. A kernel sees its room only through `host.KernelHost`."""

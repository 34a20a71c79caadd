import TidingsCore

/// A setting that cannot be used: ``TidingsCore/ConfigurationError``, named here too so that
/// code importing only TidingsServer keeps finding it.
public typealias ConfigurationError = TidingsCore.ConfigurationError

public enum InitSystemPlaceholder {}

/** The visible way into a notification-rules menu ("…"), for those who do not right-click. */
export function MenuButton({
  label,
  open,
  onOpen,
  className = 'icon-button small row-action',
}: {
  label: string;
  open: boolean;
  onOpen: (button: HTMLElement) => void;
  className?: string;
}) {
  return (
    <button
      type="button"
      className={className}
      aria-label={label}
      title={label}
      aria-haspopup="menu"
      aria-expanded={open}
      onClick={(e) => onOpen(e.currentTarget)}
    >
      <svg className="icon" width={16} height={16} viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
        <circle cx="5" cy="12" r="2" />
        <circle cx="12" cy="12" r="2" />
        <circle cx="19" cy="12" r="2" />
      </svg>
    </button>
  );
}

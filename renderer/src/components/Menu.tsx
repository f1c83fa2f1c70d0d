/**
 * A menu button: one compact trigger for a set of actions, each with an icon and a label. Arrow
 * keys move between items, Escape closes it and focus goes back to the trigger, and choosing an
 * item closes the menu first, so a dialog the item opens returns focus to the trigger.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Icon, type IconName } from './Icon.js';

export interface MenuItem {
  label: string;
  icon: IconName;
  onSelect(): void;
  pressed?: boolean;
}

interface Props {
  label: string;
  items: readonly MenuItem[];
  /** Visible text beside the icon; the label names the button either way. */
  text?: string;
  className?: string;
}

export function Menu({ label, items, text, className }: Props) {
  const [open, setOpen] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const menuId = useId();

  const itemsOf = () => [
    ...(list.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? []),
  ];

  useEffect(() => {
    if (!open) return;
    itemsOf()[0]?.focus();
    const outside = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!list.current?.contains(target) && !trigger.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  const close = () => {
    setOpen(false);
    trigger.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const all = itemsOf();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      event.preventDefault();
      all[(to + all.length) % all.length]?.focus();
    };
    if (event.key === 'ArrowDown') move(at + 1);
    else if (event.key === 'ArrowUp') move(at - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(all.length - 1);
    else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === 'Tab') setOpen(false);
  };

  return (
    <div className={`menu ${className ?? ''}`}>
      <button
        ref={trigger}
        type="button"
        className="button-quiet menu-trigger"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={text ? undefined : label}
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name="more" />
        {text && <span className="menu-trigger-text">{text}</span>}
      </button>
      {open && (
        <ul
          ref={list}
          id={menuId}
          className="menu-list"
          role="menu"
          aria-label={label}
          onKeyDown={onKeyDown}
        >
          {items.map((item) => (
            <li key={item.label} role="none">
              <button
                type="button"
                role={item.pressed === undefined ? 'menuitem' : 'menuitemcheckbox'}
                aria-checked={item.pressed}
                tabIndex={-1}
                className="menu-item"
                onClick={() => {
                  close();
                  item.onSelect();
                }}
              >
                <Icon name={item.icon} />
                <span>{item.label}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
